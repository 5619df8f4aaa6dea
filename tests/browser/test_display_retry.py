"""A display whose stream is refused (429: too many displays connected) tries again ever more
slowly instead of every few seconds, and keeps showing the board meanwhile by polling it.

The page's clock is Playwright's: three minutes of the display's life pass in a few seconds."""

import json
import urllib.request

REFUSAL = {"error": {"code": "rate_limited", "message": "Too many display screens."}}
# Counts the streams the page opens and the refusals its own error handler has dealt with (and
# so scheduled the next try): the test lets the clock run on only once each refusal is handled.
COUNT_STREAMS = """
window.streamsOpened = 0;
window.refusalsHandled = 0;
const handler = Object.getOwnPropertyDescriptor(EventSource.prototype, "onerror");
Object.defineProperty(EventSource.prototype, "onerror", {
  configurable: true,
  get() { return handler.get.call(this); },
  set(onerror) {
    handler.set.call(this, function (event) {
      onerror.call(this, event);
      window.refusalsHandled += 1;
    });
  },
});
window.EventSource = class extends EventSource {
  constructor(...args) { super(...args); window.streamsOpened += 1; }
};
"""
HANDLED = "() => window.refusalsHandled >= window.streamsOpened"


def an_office(server) -> str:
    with urllib.request.urlopen(f"{server}/api/v1/offices", timeout=10) as response:  # noqa: S310
        return json.loads(response.read())[0]["id"]


def test_a_refused_display_stream_is_retried_ever_more_slowly(page, server):
    attempts, polls = [], []

    def refuse(route):
        attempts.append(route.request.url)
        route.fulfill(
            status=429,
            headers={"Retry-After": "30", "Content-Type": "application/json"},
            body=json.dumps(REFUSAL),
        )

    def count_poll(route):
        polls.append(route.request.url)
        route.continue_()

    page.clock.install()
    page.add_init_script(COUNT_STREAMS)
    page.route("**/api/v1/offices/*/events", refuse)
    page.route("**/api/v1/offices/*/board", count_poll)
    page.goto(f"{server}/en/display/{an_office(server)}/")
    page.wait_for_function("() => document.getElementById('connection').textContent !== 'Live'")
    for _ in range(180):  # three minutes, a second at a time, once each refusal is handled
        page.clock.run_for(1000)
        page.wait_for_function(HANDLED)

    # Waits of 5, 10, 20, 40, 80 s (each between half and all of that): six or seven tries in
    # three minutes, where a retry every 5 seconds would have made thirty-six.
    assert 4 <= len(attempts) <= 8, attempts
    assert polls, "the board was not polled while the stream was refused"
