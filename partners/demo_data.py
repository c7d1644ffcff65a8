"""Vocabulary of the registry's demo data: places, industries, bilingual phrases.

Kept apart from the seeders (``partners/demo/``) so each reads on its own. ``ZH`` and ``EN``
come from the kernel (``crm.demo``): the demo users speak them too.
"""

# The bilingual data tables read best one row per line (CJK characters count double).
# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass

from crm.demo import EN, ZH
from partners.models import Channel, Family, Interaction, PartnerKind, Status, Tier

# Demo data tables, one row per line for reading (the formatter would explode them).
# fmt: off

FAMILY_SHARE = {Family.SUPPLIER: 40, Family.CUSTOMER: 35, Family.PARTNER: 15, Family.ASSOCIATION: 10}
# Which departments look after each family (suppliers mostly Procurement, customers Sales).
FAMILY_DEPARTMENTS = {
    Family.SUPPLIER: {"procurement": 85, "rnd": 10, "quality": 5},
    Family.CUSTOMER: {"sales": 85, "customer-service": 15},
    Family.PARTNER: {"marketing": 45, "rnd": 35, "sales": 20},
    Family.ASSOCIATION: {"general-office": 60, "marketing": 40},
}
STATUS_WEIGHTS = {Status.ACTIVE: 75, Status.CANDIDATE: 8, Status.PROBATION: 7, Status.SUSPENDED: 5, Status.TERMINATED: 5}
TIER_WEIGHTS = {Tier.KEY: 15, Tier.IMPORTANT: 30, Tier.NORMAL: 55}
TIER_ATTENTION = {Tier.KEY: 4, Tier.IMPORTANT: 2, Tier.NORMAL: 1}  # key partners are contacted more often
KIND_WEIGHTS = {
    Interaction.Kind.EMAIL: 25, Interaction.Kind.CALL: 25, Interaction.Kind.MEETING: 20,
    Interaction.Kind.ONLINE_CHAT: 15, Interaction.Kind.VISIT: 10, Interaction.Kind.EVENT: 5,
}
CHANNEL_WEIGHTS = {
    ZH: {Channel.WECHAT: 40, Channel.PHONE: 25, Channel.EMAIL: 20, Channel.MEETING: 15},
    EN: {Channel.EMAIL: 55, Channel.PHONE: 15, Channel.MEETING: 15, Channel.ONLINE_CHAT: 15},
}

TAGS = [
    "electronics", "packaging", "logistics", "raw-materials", "software", "automotive", "medical", "export",
    "OEM", "sole-source", "key-account", "strategic", "ISO9001", "ISO14001", "trade-show", "government",
    "华东", "华南", "华北", "西南", "华中", "长期合作", "VIP",
]
EXTRA_TAGS = ["export", "OEM", "sole-source", "trade-show", "government", "长期合作", "VIP"]

# city, province, area tag
ZH_PLACES = [
    ("上海", "上海", "华东"), ("苏州", "江苏", "华东"), ("南京", "江苏", "华东"), ("无锡", "江苏", "华东"),
    ("杭州", "浙江", "华东"), ("宁波", "浙江", "华东"), ("合肥", "安徽", "华东"), ("青岛", "山东", "华东"),
    ("厦门", "福建", "华东"), ("深圳", "广东", "华南"), ("广州", "广东", "华南"), ("东莞", "广东", "华南"),
    ("佛山", "广东", "华南"), ("北京", "北京", "华北"), ("天津", "天津", "华北"), ("成都", "四川", "西南"),
    ("重庆", "重庆", "西南"), ("武汉", "湖北", "华中"), ("长沙", "湖南", "华中"), ("郑州", "河南", "华中"),
    ("西安", "陕西", None), ("沈阳", "辽宁", None),
]
# city, country, legal form
EN_PLACES = [
    ("Munich", "Germany", "GmbH"), ("Stuttgart", "Germany", "GmbH"), ("San Jose", "United States", "Inc."),
    ("Houston", "United States", "LLC"), ("Osaka", "Japan", "Co., Ltd."), ("Singapore", "Singapore", "Pte. Ltd."),
    ("Manchester", "United Kingdom", "Ltd."), ("Lyon", "France", "S.A."), ("Seoul", "South Korea", "Co., Ltd."),
    ("Rotterdam", "Netherlands", "B.V."), ("Hong Kong", "Hong Kong SAR", "Ltd."), ("Melbourne", "Australia", "Pty Ltd"),
]
# Two syllables make a Chinese brand ("华鑫") and its web domain ("huaxin").
BRAND = [
    ("华", "hua"), ("鑫", "xin"), ("达", "da"), ("恒", "heng"), ("瑞", "rui"), ("宏", "hong"), ("泰", "tai"),
    ("盛", "sheng"), ("源", "yuan"), ("嘉", "jia"), ("博", "bo"), ("凯", "kai"), ("联", "lian"), ("诚", "cheng"),
    ("润", "run"), ("海", "hai"), ("天", "tian"), ("宇", "yu"), ("创", "chuang"), ("金", "jin"), ("通", "tong"),
    ("丰", "feng"), ("德", "de"), ("安", "an"),
]


@dataclass(frozen=True)
class Industry:
    zh: str
    en: str
    tag: str | None
    zh_offer: str  # products/services, needs or cooperation scope
    en_offer: str
    zh_word: str  # used in names
    en_word: str


INDUSTRIES = {
    Family.SUPPLIER: [
        Industry("电子元器件", "Electronic components", "electronics", "贴片电容、电阻、连接器", "SMD capacitors, resistors and connectors", "电子", "Electronics"),
        Industry("包装材料", "Packaging materials", "packaging", "瓦楞纸箱、缓冲材料、标签", "Corrugated boxes, cushioning and labels", "包装", "Packaging"),
        Industry("化工原料", "Chemicals", "raw-materials", "工程塑料粒子、溶剂、胶粘剂", "Engineering resins, solvents and adhesives", "化工", "Chemicals"),
        Industry("机械设备", "Machinery", None, "数控机床、夹具、备品备件", "CNC machines, fixtures and spare parts", "机械", "Machinery"),
        Industry("汽车零部件", "Automotive parts", "automotive", "冲压件、线束、密封件", "Stampings, wire harnesses and seals", "汽配", "Auto Parts"),
        Industry("物流运输", "Logistics", "logistics", "整车运输、仓储、报关", "Trucking, warehousing and customs brokerage", "物流", "Logistics"),
        Industry("金属加工", "Metal fabrication", "raw-materials", "钣金、铝型材、表面处理", "Sheet metal, aluminium profiles, surface finishing", "金属", "Metalworks"),
        Industry("软件与信息服务", "Software & IT services", "software", "ERP 实施、服务器运维", "ERP roll-out and server operations", "信息", "Systems"),
    ],
    Family.CUSTOMER: [
        Industry("零售连锁", "Retail chain", None, "门店陈列用品，按季度补货，价格敏感", "Store fixtures, quarterly replenishment, price sensitive", "商贸", "Retail"),
        Industry("汽车制造", "Automotive manufacturing", "automotive", "线束总成、内饰件，要求 IATF16949", "Harness assemblies and trim, IATF 16949 required", "汽车", "Motors"),
        Industry("医疗器械", "Medical devices", "medical", "无菌包装、精密注塑件，需批次追溯", "Sterile packaging, precision mouldings, lot traceability", "医疗", "Medical"),
        Industry("消费电子", "Consumer electronics", "electronics", "充电器、数据线，交期要求高", "Chargers and cables, tight lead times", "电子", "Devices"),
        Industry("食品饮料", "Food & beverage", "packaging", "食品级包装，需提供检测报告", "Food-grade packaging with test reports", "食品", "Foods"),
        Industry("新能源", "Renewable energy", None, "储能电池结构件，年度框架采购", "Battery enclosure parts under a yearly framework", "能源", "Energy"),
        Industry("建筑工程", "Construction", None, "五金配件，项目制采购", "Hardware fittings bought per project", "建设", "Build"),
    ],
    Family.PARTNER: [
        Industry("软件", "Software", "software", "系统集成与数据接口", "System integration and data interfaces", "软件", "Software"),
        Industry("高校科研", "University research", None, "联合实验室与实习生培养", "Joint laboratory and internships", "科技", "Labs"),
        Industry("电商平台", "E-commerce", None, "线上旗舰店联合运营", "Joint operation of the online flagship store", "网络", "Digital"),
        Industry("市场咨询", "Market research", None, "市场调研与品牌联合推广", "Market studies and co-branded campaigns", "咨询", "Insights"),
        Industry("检测认证", "Testing & certification", None, "第三方检测资源共享", "Shared third-party testing capacity", "检测", "Testing"),
    ],
    Family.ASSOCIATION: [
        Industry("电子信息", "Electronics", "electronics", "", "", "电子信息", "Electronics"),
        Industry("包装技术", "Packaging", "packaging", "", "", "包装技术", "Packaging"),
        Industry("物流与采购", "Logistics & purchasing", "logistics", "", "", "物流与采购", "Purchasing"),
        Industry("汽车零部件", "Automotive suppliers", "automotive", "", "", "汽车零部件", "Automotive Suppliers"),
        Industry("医疗器械", "Medical technology", "medical", "", "", "医疗器械", "Medical Technology"),
        Industry("质量管理", "Quality management", None, "", "", "质量管理", "Quality"),
        Industry("进出口贸易", "Import & export", "export", "", "", "进出口", "Trade"),
    ],
}
KIND_SUFFIX = {
    PartnerKind.MANUFACTURER: ("制造有限公司", "Manufacturing"), PartnerKind.DISTRIBUTOR: ("贸易有限公司", "Trading"),
    PartnerKind.SERVICE_PROVIDER: ("服务有限公司", "Services"), PartnerKind.COMPANY: ("股份有限公司", "Group"),
    PartnerKind.STRATEGIC: ("集团有限公司", "Holdings"), PartnerKind.TECHNOLOGY: ("科技有限公司", "Technologies"),
    PartnerKind.MARKET: ("文化传媒有限公司", "Marketing"), PartnerKind.RESOURCE_SHARING: ("供应链管理有限公司", "Supply Chain"),
}
MEMBERSHIP_LEVELS = {ZH: ["会员单位", "理事单位", "常务理事单位", "副会长单位"], EN: ["Member", "Board member", "Gold member"]}
CUSTOMS = {
    ZH: ["春节前后两周不安排拜访，节前寄送贺卡。", "偏好微信沟通，工作日 9:00–18:00 回复。", "中秋节赠送月饼礼盒前请先确认对方合规政策。",
         "会议请提前一天发送议程，对方重视准时。", "决策需总经理签字，周期约两周。"],
    EN: ["Prefers a written agenda 48 hours before any meeting.", "Avoid calls on Friday afternoons; the weekend starts early.",
         "During Ramadan, schedule meetings before noon.", "Limited availability in August (summer closure).",
         "Gifts above USD 50 must be declared to their compliance team."],
}
TITLES = {
    ZH: ["采购经理", "销售总监", "总经理", "质量主管", "项目经理", "商务专员", "秘书长", "市场部经理", "财务经理"],
    EN: ["Purchasing Manager", "Sales Director", "Managing Director", "Quality Lead", "Account Manager", "CEO"],
}
CONTACT_NOTES = {
    ZH: ["喜欢喝茶，不饮酒。", "孩子今年高考，关注升学话题。", "习惯先电话再发邮件确认。", "新上任，需要重新建立关系。"],
    EN: ["Prefers morning calls.", "Vegetarian.", "Keen cyclist; ask about the last race.", "New in the role since spring."],
}
# (Chinese, English) subject templates per family; {product} and {q} are filled in.
SUBJECTS = {
    Family.SUPPLIER: [
        ("第{q}季度交付计划确认", "Q{q} delivery schedule review"), ("价格谈判：{product}", "Price negotiation: {product}"),
        ("来料质量问题沟通", "Incoming quality issue"), ("年度供应商审核", "Annual supplier audit"),
        ("新样品打样评估", "New sample evaluation"), ("付款条款调整", "Payment terms discussion"),
        ("产能与交期确认", "Capacity and lead-time check"),
    ],
    Family.CUSTOMER: [
        ("年度框架合同续签", "Annual framework contract renewal"), ("新品介绍：{product}", "Product presentation: {product}"),
        ("客户投诉处理", "Complaint handling"), ("满意度回访", "Satisfaction follow-up call"),
        ("报价跟进", "Quotation follow-up"), ("第{q}季度业务回顾", "Q{q} business review"), ("节日问候", "Holiday greetings"),
    ],
    Family.PARTNER: [
        ("联合研发项目进度", "Joint R&D project status"), ("合作协议半年回顾", "Six-month cooperation review"),
        ("联合市场活动策划", "Co-marketing campaign planning"), ("资源共享方案讨论", "Resource-sharing proposal"),
        ("第{q}季度合作成果汇报", "Q{q} cooperation results"),
    ],
    Family.ASSOCIATION: [
        ("年会参会安排", "Annual conference attendance"), ("会员年费缴纳", "Membership fee renewal"),
        ("行业标准研讨会", "Industry standards workshop"), ("政策解读座谈会", "Policy briefing"),
        ("展会合作洽谈", "Trade fair cooperation"),
    ],
}
SUMMARIES = {
    ZH: ["与{contact}就“{subject}”进行了沟通，双方确认了下一步安排。", "{contact}介绍了对方最新情况，我方提出了{n}点改进建议。",
         "会议讨论了“{subject}”，对方重点关注交期和价格。", "{channel}与{contact}沟通，气氛良好，对方希望加强合作。"],
    EN: ["Discussed “{subject}” with {contact}; both sides agreed on next steps.",
         "{contact} gave an update on their side; we raised {n} improvement points.",
         "Meeting on “{subject}”; their main concerns are lead time and price.",
         "Talked with {contact} {channel}; good atmosphere, they want to deepen cooperation."],
}
# How a summary says we talked: "{channel}与…沟通" / "Talked with … {channel}".
CHANNEL_WORDS = {
    ZH: {"email": "通过邮件", "call": "通过电话", "online_chat": "通过在线聊天"},
    EN: {"email": "by email", "call": "by phone", "online_chat": "over online chat"},
}
IN_PERSON = {ZH: "当面", EN: "in person"}
OUTCOMES = {
    ZH: ["对方同意在两周内提供书面方案。", "已达成初步共识，待内部审批。", "无需进一步行动。", "需安排技术人员现场支持。", ""],
    EN: ["They will send a written proposal within two weeks.", "Agreement in principle, pending internal approval.",
         "No further action needed.", "An engineer should visit on site.", ""],
}
FOLLOWUPS = {
    ZH: ["发送会议纪要", "提供更新报价", "确认样品测试结果", "安排现场拜访", "提交合同草案", "回复投诉处理进展"],
    EN: ["Send meeting minutes", "Send updated quotation", "Confirm sample test results", "Schedule on-site visit",
         "Share draft contract", "Report back on the complaint"],
}
ISSUERS = {
    ZH: ["中国质量认证中心", "SGS 通标标准技术服务有限公司", "TÜV 南德意志集团", "BSI 英国标准协会", "必维国际检验集团"],
    EN: ["SGS", "TÜV SÜD", "BSI", "Bureau Veritas", "DNV", "Intertek"],
}
# fmt: on
