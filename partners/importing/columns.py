"""The columns of each import kind, with their English and Chinese headers (both accepted).

The templates, the export and the import all read these, so a file exported here imports
back unchanged whatever the language it was exported in.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import ImportKind


@dataclass(frozen=True)
class Column:
    name: str  # the resource field
    en: str
    zh: str
    required: bool = False


PARTNER_COLUMNS = (
    Column("reference", "Reference", "外部编号"),
    Column("family", "Family", "类别", required=True),
    Column("kind", "Type", "类型", required=True),
    Column("name", "Name", "名称", required=True),
    Column("status", "Status", "状态"),
    Column("tier", "Tier", "级别"),
    Column("owner", "Owner", "负责人"),
    Column("department", "Department", "部门"),
    Column("industry", "Industry", "行业"),
    Column("region", "Region", "地区"),
    Column("website", "Website", "网站"),
    Column("tags", "Tags", "标签"),
    Column("description", "Description", "描述"),
    Column("preferred_language", "Preferred language", "偏好语言"),
    Column("preferred_channel", "Preferred channel", "偏好渠道"),
    Column("customs", "Customs to respect", "需尊重的习俗"),
    Column("products_services", "Products / services supplied", "供应的产品/服务"),
    Column("capacity_notes", "Production capacity", "生产能力"),
    Column("needs", "Needs and preferences", "需求和偏好"),
    Column("customer_since", "Customer since", "成为客户日期"),
    Column("cooperation_scope", "Cooperation scope", "合作范围"),
    Column("membership_level", "Membership level", "会员级别"),
    Column("membership_expires_on", "Membership expires on", "会员到期日"),
)

# A contact or an interaction names its partner by reference, or by name and family.
PARTNER_LINK_COLUMNS = (
    Column("partner", "Partner reference", "商务伙伴外部编号"),
    Column("partner_name", "Partner name", "商务伙伴名称"),
    Column("partner_family", "Partner family", "商务伙伴类别"),
)

CONTACT_COLUMNS = (
    *PARTNER_LINK_COLUMNS,
    Column("name", "Name", "姓名", required=True),
    Column("title", "Title", "职务"),
    Column("email", "Email", "电子邮件"),
    Column("phone", "Phone", "电话"),
    Column("birthday", "Birthday", "生日"),
    Column("preferred_channel", "Preferred channel", "偏好渠道"),
    Column("preferred_language", "Preferred language", "偏好语言"),
    Column("marketing_consent", "Consents to product news and promotions", "同意接收产品资讯和促销"),
    Column("greetings_consent", "Consents to greetings", "同意接收问候"),
    Column("is_primary", "Primary contact", "主要联系人"),
    Column("notes", "Notes", "备注"),
)

INTERACTION_COLUMNS = (
    *PARTNER_LINK_COLUMNS,
    Column("kind", "Type", "类型", required=True),
    Column("occurred_at", "Date and time", "日期和时间", required=True),
    Column("subject", "Subject", "主题", required=True),
    Column("summary", "Summary / agenda", "摘要/议程"),
    Column("outcome", "Outcome", "结果"),
    Column("author", "Logged by", "记录人"),
)

TAG_COLUMNS = (Column("name", "Name", "名称", required=True),)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.PARTNERS: PARTNER_COLUMNS,
    ImportKind.CONTACTS: CONTACT_COLUMNS,
    ImportKind.INTERACTIONS: INTERACTION_COLUMNS,
    ImportKind.TAGS: TAG_COLUMNS,
}

# The sheet of the full export that holds each kind (an XLSX import reads it when present).
SHEETS = {
    ImportKind.PARTNERS: "partners",
    ImportKind.CONTACTS: "contacts",
    ImportKind.TAGS: "tags",
    ImportKind.INTERACTIONS: "interactions",
}


def header_lookup(kind: str) -> dict[str, str]:
    """Normalised header (English or Chinese, any case) → column name."""
    out = {}
    for column in COLUMNS[kind]:
        out[normalise_header(column.en)] = column.name
        out[normalise_header(column.zh)] = column.name
        out[normalise_header(column.name)] = column.name
    return out


def normalise_header(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


def headers_for(kind: str, language: str) -> list[str]:
    return [column.zh if language.startswith("zh") else column.en for column in COLUMNS[kind]]
