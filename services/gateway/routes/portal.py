"""The citizens' portal (掌上信访): its pages and the files they load."""
from services.gateway import pages
from services.gateway.http import http

# Each page's path and its file in static/.
PAGES = {"/": "index", "/follow": "follow", "/results": "results", "/suggest": "suggest"}


class PortalRoutes:
    """Mixed into GatewayService."""

    @http("GET", "/")
    @http("GET", "/follow")
    @http("GET", "/results")
    @http("GET", "/suggest")
    def portal_page(self, request):
        """The citizens' portal: submit (/), follow, rate and ask for a review (/follow), the public results and scoreboard (/results), people's suggestions (/suggest)
        ---
        responses:
          "200": {description: "the page", content: {text/html: {schema: {type: string}}}}
        """
        return pages.page(PAGES[request.path])

    @http("GET", "/static/<path:name>")
    def static_file(self, request, name):
        """A page's script, style sheet or image
        ---
        responses:
          "200": {description: "the file", content: {"*/*": {schema: {type: string}}}}
        """
        return pages.asset(name)
