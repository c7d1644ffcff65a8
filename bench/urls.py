"""The product's URLs plus the bench's floor page, for the bench's processes only."""

from django.urls import path

from crm.urls import urlpatterns as product_urlpatterns

from .floor import floor

urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *product_urlpatterns]
