from django.urls import path

from route53 import views

urlpatterns = [
    # The operation is found in botocore's model from the whole path (views.route53_api).
    path("2013-04-01/<path:operation_path>", views.route53_api, name="route53-api"),
]
