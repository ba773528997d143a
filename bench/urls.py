from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as project_urlpatterns

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@csrf_exempt
def floor(request: HttpRequest) -> HttpResponse:
    # Reads the form like the webhook does, touches no database.
    request.POST.get("Body")
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


urlpatterns = [path("bench/floor", floor), *project_urlpatterns]
