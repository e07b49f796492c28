"""An example third-party check: installed from its own distribution, found through the entry point."""

from checks.api import Check, CheckContext, CheckResult, Status


class HeadsetReminder(Check):
    id = "acme.headset"
    title = "Acme headset policy"
    category = "system"

    def run(self, context: CheckContext) -> CheckResult:
        return self.result(Status.WARN, "Acme asks candidates to wear a headset.",
                           ("Echo distracts the panel.", "Plug in a wired headset before the call."))
