"""The Swagger UI page (/api/docs/) under the site's Content-Security-Policy.

drf-spectacular's split view serves the page's start-up script as a file of its own (`?script`), and
our template links a stylesheet instead of the inline <style>, so the page needs no inline code. Swagger
UI draws its icons from `data:` images (allowed site-wide) and sets element styles from its script,
which a policy without 'unsafe-inline' allows.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerPage(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
