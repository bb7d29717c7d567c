from django.urls import URLPattern, path, register_converter

from amends.practitioners import views, views_compliance


class PractitionerReferenceConverter:
    """VOL-XXXX-XXXX, so that no other page of /staff/practitioners/ is taken for a record."""

    regex = "VOL-[0-9A-Z]{4}-[0-9A-Z]{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PractitionerReferenceConverter, "vol")

app_name = "practitioners"

# The pipeline and practitioners' records (views.py).
urlpatterns: list[URLPattern] = [
    path("", views.practitioner_list, name="list"),
    path("me/", views.practitioner_mine, name="mine"),
    path("add-staff/", views.add_staff, name="add_staff"),
    path("<vol:reference>/", views.practitioner_detail, name="detail"),
    path("<vol:reference>/status/", views.practitioner_transition, name="transition"),
    path("<vol:reference>/details/", views.practitioner_edit, name="edit"),
    path("<vol:reference>/dbs-checks/new/", views.dbs_check_add, name="dbs_add"),
    path("<vol:reference>/training/new/", views.training_add, name="training_add"),
    path("<vol:reference>/supervision/new/", views.supervision_add, name="supervision_add"),
    path(
        "<vol:reference>/supervision/<int:session_id>/correct/",
        views.supervision_correct,
        name="supervision_correct",
    ),
    path("<vol:reference>/observations/new/", views.observation_add, name="observation_add"),
    path("<vol:reference>/cpd/new/", views.cpd_add, name="cpd_add"),
    path("<vol:reference>/referees/new/", views.referee_add, name="referee_add"),
    path(
        "<vol:reference>/referees/<int:referee_id>/",
        views.referee_record,
        name="referee_record",
    ),
    path(
        "<vol:reference>/referees/<int:referee_id>/requested/",
        views.referee_request,
        name="referee_request",
    ),
]

# Allocation and compliance (views_compliance.py).
urlpatterns += [
    path("allocation/", views_compliance.allocation, name="allocation"),
    path("compliance/", views_compliance.dashboard, name="compliance"),
]
