"""The provider's authorization endpoint: django-oauth-toolkit's, honouring ``max_age`` as well as ``prompt=login``.

django-oauth-toolkit asks for the password again on ``prompt=login`` (it sends the browser to its login page and
drops the ``prompt`` from the address it returns to), and puts ``auth_time`` (the user's last login) in every ID
token, but it ignores ``max_age`` (OpenID Connect Core 1.0, section 3.1.2.1). Here a signed-in user whose last
login is older than ``max_age`` seconds is sent to the login page too, as a real provider does.
"""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils import timezone
from oauth2_provider.views import AuthorizationView


class MaxAgeAuthorizationView(AuthorizationView):
    def get(self, request, *args, **kwargs):
        max_age = request.GET.get("max_age", "")
        prompt = set(request.GET.get("prompt", "").split())
        # With prompt=login django-oauth-toolkit sends the user to log in first; max_age is checked on the way back.
        if request.user.is_authenticated and max_age.isdigit() and "login" not in prompt:
            last = request.user.last_login
            if last is None or (timezone.now() - last).total_seconds() > int(max_age):
                return redirect_to_login(
                    request.get_full_path(), resolve_url(self.get_login_url()), self.get_redirect_field_name()
                )
        return super().get(request, *args, **kwargs)
