from django.urls import path

from accueil.core import capabilities  # noqa: F401 - registers the <secret:…> converter
from accueil.queues import appointment_staff, booking_views, console, views

app_name = "queues"
urlpatterns = [
    path("kiosk/<uuid:office>/", views.kiosk, name="kiosk"),
    path(
        "kiosk/<uuid:office>/tickets/<uuid:visit>/<secret:secret>/",
        views.kiosk_ticket,
        name="kiosk-ticket",
    ),
    path("check-in/<uuid:office>/", views.web_check_in, name="check-in"),
    path("poster/<uuid:office>/", views.poster, name="poster"),
    path("visits/<uuid:visit>/<secret:secret>/", views.visit_status, name="visit"),
    path("visits/<uuid:visit>/<secret:secret>/cancel/", views.visit_cancel, name="visit-cancel"),
    path("display/<uuid:office>/", views.display, name="display"),
    path("book/<uuid:office>/", booking_views.book, name="book"),
    path("kiosk/<uuid:office>/appointment/", booking_views.kiosk_arrival, name="kiosk-arrival"),
    path(
        "appointments/<uuid:appointment>/<secret:secret>/",
        booking_views.appointment_detail,
        name="appointment",
    ),
    path(
        "appointments/<uuid:appointment>/<secret:secret>/change/",
        booking_views.reschedule,
        name="appointment-change",
    ),
    path(
        "appointments/<uuid:appointment>/<secret:secret>/cancel/",
        booking_views.cancel_appointment,
        name="appointment-cancel",
    ),
    path(
        "appointments/<uuid:appointment>/<secret:secret>/calendar.ics",
        booking_views.appointment_calendar,
        name="appointment-calendar",
    ),
    path(
        "staff/offices/<uuid:office>/appointments/",
        appointment_staff.appointments,
        name="staff-appointments",
    ),
    path(
        "staff/offices/<uuid:office>/appointments/new/",
        appointment_staff.book_for_someone,
        name="staff-appointment-new",
    ),
    path(
        "staff/appointments/<uuid:appointment>/move/",
        appointment_staff.move,
        name="staff-appointment-move",
    ),
    path(
        "staff/appointments/<uuid:appointment>/cancel/",
        appointment_staff.cancel,
        name="staff-appointment-cancel",
    ),
    path("console/", console.console, name="console"),
    path("console/desk/", console.open_desk, name="console-open"),
    path("console/desk/<uuid:session>/pause/", console.pause, name="console-pause"),
    path("console/desk/<uuid:session>/close/", console.close, name="console-close"),
    path("console/desk/<uuid:session>/call-next/", console.call_next, name="console-call-next"),
    path("console/desk/<uuid:session>/visitors/", console.add_visitor, name="console-add-visit"),
    path("console/visits/<uuid:visit>/<slug:action>/", console.serve_visit, name="console-serve"),
    path("console/notices/", console.disruption, name="console-notice"),
    path(
        "console/notices/<uuid:notice>/withdraw/",
        console.withdraw_notice,
        name="console-notice-withdraw",
    ),
]
