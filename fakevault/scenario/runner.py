"""Running a scenario step by step against a target, and the report of what happened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fakevault.scenario.checks import check
from fakevault.scenario.format import Scenario, Step
from fakevault.scenario.paths import MISSING, UnknownVariableError, lookup, substitute
from fakevault.scenario.targets import Target

CONTROL_CALLS: dict[str, tuple[str, str]] = {
    "advance": ("POST", "clock/advance"),
    "sync": ("POST", "sync"),
    "step": ("POST", "step"),
    "partition": ("POST", "network/partition"),
    "heal": ("POST", "network/heal"),
    "crash": ("POST", "clusters/{name}/crash"),
    "restart": ("POST", "clusters/{name}/restart"),
    "fault": ("POST", "clusters/{name}/faults"),
    "unseal-keys": ("GET", "clusters/{name}/unseal-keys"),
    "reset": ("POST", "reset"),
}


@dataclass
class StepResult:
    """What one step did: passed, failed (with problems), or handed to a person."""

    step: Step
    summary: str
    problems: list[str] = field(default_factory=list)
    manual: bool = False

    @property
    def ok(self) -> bool:
        """True unless the step failed."""
        return not self.problems

    def lines(self) -> list[str]:
        """The report lines of this step."""
        mark = "MANUAL" if self.manual else ("ok" if self.ok else "FAIL")
        label = f"{self.step.number}" + (f" {self.step.name}" if self.step.name else "")
        return [f"  {mark:6} {label}: {self.summary}"] + [f"           {p}" for p in self.problems]


@dataclass
class Outcome:
    """A scenario's run: each step's result, and the world's invariant violations at the end."""

    scenario: Scenario
    results: list[StepResult] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if every step passed and no unexpected violation was left."""
        unexpected = self.violations and not self.scenario.allow_violations
        return all(r.ok for r in self.results) and not unexpected

    def report(self) -> str:
        """A readable account: each step, what was expected, what came back."""
        lines = [f"scenario {self.scenario.name}: {self.scenario.title}"]
        for result in self.results:
            lines += result.lines()
        if self.violations:
            label = "allowed" if self.scenario.allow_violations else "FAIL"
            lines.append(f"  {label:6} invariant violations left in the world:")
            lines += [f"           {v['kind']}: {v['message']} (caused by {v['caused_by']})"
                      for v in self.violations]
        passed = sum(r.ok and not r.manual for r in self.results)
        manual = sum(r.manual for r in self.results)
        verdict = "passed" if self.ok else "FAILED"
        lines.append(f"{verdict}: {passed} of {len(self.scenario.steps)} steps passed"
                     + (f", {manual} for a person to do" if manual else ""))
        return "\n".join(lines)


def run_scenario(scenario: Scenario, target: Target,
                 variables: Mapping[str, Any] | None = None) -> Outcome:
    """Run ``scenario`` on ``target``; stops at the first failing step."""
    run = _Run(scenario, target, dict(variables or {}))
    mismatch = run.prepare()
    if mismatch:
        run.outcome.results.append(mismatch)
        return run.outcome
    for step in scenario.steps:
        result = run.step(step)
        run.outcome.results.append(result)
        if not result.ok:
            break
    else:
        run.final_check()
    return run.outcome


class _Run:
    def __init__(self, scenario: Scenario, target: Target, variables: dict[str, Any]) -> None:
        self.target = target
        self.variables = {"root_token": target.root_token, **variables}
        #: Root tokens generated on a cluster (a performance secondary has no other).
        self.root_tokens: dict[str, str] = {}
        self.outcome = Outcome(scenario)
        self.previous: dict[tuple[str, str, str], Any] = {}

    def prepare(self) -> StepResult | None:
        """A live fake is reset to a fresh world first, and must be configured as the file says."""
        if not self.target.fake or self.target.sim is not None:
            return None
        _, state = self.target.control("POST", "reset", {
            "vault_version": self.outcome.scenario.vault_version})
        scenario = self.outcome.scenario
        problems = []
        if state.get("sync") != scenario.sync:
            problems.append(f"the server replicates {state.get('sync')}; this scenario needs "
                            f"`fakevault serve --sync {scenario.sync}`")
        if bool(state.get("strict")) != scenario.strict:
            wanted = "with" if scenario.strict else "without"
            problems.append(f"this scenario needs a server {wanted} --strict")
        if not problems:
            return None
        return StepResult(Step(number=0, kind="control", name="target configuration"),
                          "GET /_fakevault/state", problems)

    def step(self, step: Step) -> StepResult:
        handler = {"request": self._request, "control": self._control, "wait": self._wait,
                   "ceremony": self._ceremony}[step.kind]
        try:
            return handler(step)
        except UnknownVariableError as exc:
            return StepResult(step, "not run", [f"unknown variable ${{{exc.args[0]}}}: capture it "
                                                "in an earlier step or pass --var"])
        except OSError as exc:  # requests' errors are OSErrors: the target went away
            return StepResult(step, "not run", [f"request failed: {exc}"])

    # -- kinds of step ---------------------------------------------------------------------
    def _request(self, step: Step) -> StepResult:
        path = str(substitute(step.path, self.variables))
        token = self._token(step.token, step.cluster)
        status, body = self.target.request(step.cluster, step.method, path, token=token,
                                           body=substitute(step.body, self.variables))
        key = (step.cluster, step.method, path)
        problems = check(step.expect, status, body, self.variables, self.previous.get(key))
        self.previous[key] = body
        problems += self._capture(step, body) + self._violations(step)
        return StepResult(step, f"{step.method} {step.cluster} /v1/{path} -> {status}", problems)

    def _control(self, step: Step) -> StepResult:
        if not self.target.fake:
            return self._manual(step)
        method, template = CONTROL_CALLS[step.control]
        args = substitute(step.args, self.variables)
        path = template.format(name=args.get("name", ""))
        body = {k: v for k, v in args.items() if k != "name"} or None
        status, answer = self.target.control(method, path, body)
        problems = check(step.expect, status, answer, self.variables, None)
        problems += self._capture(step, answer) + self._violations(step)
        return StepResult(step, f"control {step.control} {_args(args)}-> {status}", problems)

    def _manual(self, step: Step) -> StepResult:
        missing = [name for name in step.capture if name not in self.variables]
        if missing:
            return StepResult(step, f"control {step.control}", [
                f"needs --var {name}=... on a real target ({step.manual or 'no instruction'})"
                for name in missing])
        instruction = step.manual or f"(skipped: {step.control} needs the fake)"
        if step.control == "advance":
            import time

            time.sleep(float(step.args.get("seconds", 0)))  # real time has to pass for real
        elif self.target.interactive and step.manual:
            input(f"  MANUAL {step.number}: {step.manual}\n         Press Enter when done: ")
        return StepResult(step, instruction, manual=True)

    def _wait(self, step: Step) -> StepResult:
        path = str(substitute(step.path, self.variables))
        wanted = substitute(step.until, self.variables)
        body: Any = None
        for attempt in range(1, step.attempts + 1):
            status, body = self.target.request(step.cluster, "GET", path,
                                               token=self._token(step.token, step.cluster))
            if status < 400 and all(lookup(body, p) == v for p, v in wanted.items()):
                return StepResult(step, f"waited {attempt} round(s) for {_args(wanted)}on "
                                  f"{step.cluster} /v1/{path}")
            self._let_time_pass()
        got = {p: lookup(body, p) for p in wanted}
        shown = {p: ("absent" if v is MISSING else v) for p, v in got.items()}
        return StepResult(step, f"wait on {step.cluster} /v1/{path}",
                          [f"after {step.attempts} attempts still {shown}, waiting for {wanted}"])

    def _let_time_pass(self) -> None:
        if self.target.fake:
            self.target.control("POST", "step")
            self.target.control("POST", "clock/advance", {"seconds": 1})
        else:
            import time

            time.sleep(1)

    def _ceremony(self, step: Step) -> StepResult:
        from fakevault.model.ceremony import decode_token

        keys = substitute(step.keys, self.variables)
        keys = keys if isinstance(keys, list) else [k.strip() for k in str(keys).split(",")]
        root = step.generate == "root"
        base = "sys/generate-root" if root else \
            "sys/replication/dr/secondary/generate-operation-token"
        token = str(substitute(step.token, self.variables)) if step.token else None
        status, started = self.target.request(step.cluster, "POST", f"{base}/attempt",
                                              token=token, body={})
        if status != 200:
            return StepResult(step, "ceremony", [f"starting the attempt answered {status}: "
                                                 f"{started}"])
        for key in keys:
            status, result = self.target.request(step.cluster, "POST", f"{base}/update",
                                                 token=token,
                                                 body={"key": key, "nonce": started["nonce"]})
            if status != 200:
                return StepResult(step, "ceremony", [f"a key share answered {status}: {result}"])
            if result.get("complete"):
                token = decode_token(result["encoded_token"], started["otp"])
                problems = self._capture(step, {"token": token})
                if root:
                    self.root_tokens[step.cluster] = token
                kind = "generate-root" if root else "DR operation token ceremony"
                return StepResult(step, f"{kind} on {step.cluster} with "
                                  f"{len(keys)} key share(s)", problems)
        return StepResult(step, "ceremony", ["the key shares ran out before the threshold"])

    # -- shared pieces --------------------------------------------------------------------
    def _token(self, token: str | None, cluster: str = "") -> str:
        if token is None:
            return self.root_tokens.get(cluster, self.target.root_token)
        return str(substitute(token, self.variables))

    def _capture(self, step: Step, body: Any) -> list[str]:
        problems = []
        for name, path in step.capture.items():
            value = lookup(body, path)
            if value is MISSING:
                problems.append(f"capture {name}: nothing at {path}")
            else:
                self.variables[name] = value
        return problems

    def _violations(self, step: Step) -> list[str]:
        if step.expect.violations is None or not self.target.fake:
            return []
        _, answer = self.target.control("GET", "invariants")
        kinds = sorted(v["kind"] for v in answer["violations"])
        wanted = sorted(step.expect.violations)
        return [] if kinds == wanted else [f"violations: expected {wanted}, got {kinds}"]

    def final_check(self) -> None:
        if self.target.fake:
            _, answer = self.target.control("GET", "invariants")
            self.outcome.violations = list(answer.get("violations", []))


def _args(args: Mapping[str, Any]) -> str:
    return "".join(f"{k}={v!r} " for k, v in args.items())
