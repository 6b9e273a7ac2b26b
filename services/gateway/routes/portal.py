"""The citizens' portal (掌上信访): its pages and the files they load; how
every page is served (the consoles' too: routes/agent.py, routes/console.py)."""
from services.gateway import pages
from services.gateway.http import http

# Each page's path and its file in static/.
PAGES = {"/": "index", "/follow": "follow", "/results": "results", "/suggest": "suggest"}
PAGE_OPERATION = """
responses:
  "200": {description: "the page", content: {text/html: {schema: {type: string}}}}
"""


def page_route(files, summary):
    """The entrypoint serving pages: ``files`` maps each path to its page's
    file in static/ (pages.page); ``summary`` is its OpenAPI summary."""
    def serve(self, request):
        return pages.page(files[request.path])

    serve.__doc__ = f"{summary}\n---{PAGE_OPERATION}"
    for path in files:
        serve = http("GET", path)(serve)
    return serve


class PortalRoutes:
    """Mixed into GatewayService."""

    portal_page = page_route(PAGES, "The citizens' portal: submit (/), follow, rate and ask for "
                                    "a review (/follow), the public results and scoreboard "
                                    "(/results), people's suggestions (/suggest)")

    @http("GET", "/static/<path:name>")
    def static_file(self, request, name):
        """A page's script, style sheet or image
        ---
        responses:
          "200": {description: "the file", content: {"*/*": {schema: {type: string}}}}
        """
        return pages.asset(name)
