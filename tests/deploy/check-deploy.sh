#!/bin/sh
# The deployment files of deploy/ are data nobody compiles: check them.
#  - systemd units: `systemd-analyze verify` (ExecStart pointed at the
#    envstats just built, since /usr/local/bin/envstats is not installed);
#  - every YAML file parses; the Slack manifest asks for Socket Mode, both
#    commands, the bot scopes and events the bot needs; the Kubernetes
#    ConfigMap holds deploy/envstats.example.json exactly; the Deployment
#    keeps one replica, Recreate, the probes and a non-root read-only pod.
# usage: check-deploy.sh SOURCE_DIR ENVSTATS_BINARY
# Exit 77 (skipped) when neither systemd-analyze nor python3-yaml exists.
set -eu
src=$1
bin=$2
ran=0

if command -v systemd-analyze >/dev/null 2>&1; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for u in "$src"/deploy/systemd/*.service "$src"/deploy/systemd/*.timer; do
		sed "s|/usr/local/bin/envstats|$bin|g" "$u" >"$tmp/$(basename "$u")"
	done
	# verify prints problems and may still exit 0: any output fails.
	out=$(cd "$tmp" && systemd-analyze verify ./*.service ./*.timer 2>&1) || {
		echo "$out"; echo "check-deploy: systemd-analyze verify failed"
		exit 1; }
	if [ -n "$out" ]; then
		echo "$out"; echo "check-deploy: systemd-analyze verify warned"
		exit 1
	fi
	# envstats speaks sd_notify: READY=1 and the watchdog's keep-alives.
	for want in '^Type=notify$' '^WatchdogSec=' '^NotifyAccess=main$'; do
		grep -q "$want" "$src/deploy/systemd/envstats.service" || {
			echo "check-deploy: envstats.service lacks $want"
			exit 1; }
	done
	echo "check-deploy: systemd units verified"
	ran=1
else
	echo "check-deploy: no systemd-analyze: units not verified"
fi

if command -v python3 >/dev/null 2>&1 &&
    python3 -c 'import yaml' >/dev/null 2>&1; then
	python3 - "$src" <<'PY'
import glob, json, os, sys, yaml

src = sys.argv[1]
def load(path):
    with open(os.path.join(src, path)) as f:
        return list(yaml.safe_load_all(f))

def need(cond, what):
    if not cond:
        sys.exit("check-deploy: " + what)

m = load("deploy/slack/manifest.yaml")[0]
need(m["settings"]["socket_mode_enabled"] is True, "manifest: Socket Mode off")
cmds = {c["command"]: c for c in m["features"]["slash_commands"]}
need(set(cmds) == {"/envstats", "/mural-env"}, "manifest: commands")
need(all(c.get("description") and c.get("usage_hint") for c in cmds.values()),
     "manifest: a command without description or usage hint")
need(set(m["oauth_config"]["scopes"]["bot"]) == {"commands", "chat:write",
     "channels:history", "groups:history", "files:write"}, "manifest: scopes")
need(set(m["settings"]["event_subscriptions"]["bot_events"]) ==
     {"message.channels", "message.groups"}, "manifest: events")
need(len(m["display_information"]["name"]) <= 35, "manifest: name too long")

docs = {}
for path in sorted(glob.glob(os.path.join(src, "deploy/kubernetes/*.yaml"))):
    for d in load(os.path.relpath(path, src)):
        need(isinstance(d, dict), path + ": not a mapping")
        docs.setdefault(d["kind"], []).append(d)
cm = docs["ConfigMap"][0]["data"]["envstats.json"]
with open(os.path.join(src, "deploy/envstats.example.json")) as f:
    need(cm == f.read(), "ConfigMap differs from deploy/envstats.example.json"
     " (run tests/deploy/sync-configmap.sh)")
json.loads(cm)
dep = docs["Deployment"][0]["spec"]
need(dep["replicas"] == 1 and dep["strategy"]["type"] == "Recreate",
     "Deployment: one replica, Recreate")
pod = dep["template"]["spec"]
c = pod["containers"][0]
need(c["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness")
need(c["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness")
sc = c["securityContext"]
need(pod["securityContext"]["runAsNonRoot"] and sc["readOnlyRootFilesystem"]
     and not sc["allowPrivilegeEscalation"], "Deployment: security context")
env = {e["name"]: e.get("value") for e in c["env"]}
ref = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"]
       for e in c["env"] if "valueFrom" in e}
# Datadog: the node's agent, and unified service tagging from the labels.
need(ref.get("DD_AGENT_HOST") == "status.hostIP",
     "Deployment: DD_AGENT_HOST from status.hostIP")
labels = dep["template"]["metadata"]["labels"]
for k in ("env", "service", "version"):
    lab = "tags.datadoghq.com/" + k
    need(lab in labels and lab in docs["Deployment"][0]["metadata"]["labels"],
         "Deployment: label " + lab)
    need(ref.get("DD_" + k.upper()) == "metadata.labels['%s']" % lab,
         "Deployment: DD_%s from the label %s" % (k.upper(), lab))
need(env["ENVSTATS_HTTP_ADDR"] == "0.0.0.0:8787", "Deployment: HTTP address")
need(not any(k in env for k in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN")),
     "Deployment: a token in the environment")
need(docs["CronJob"][0]["spec"]["concurrencyPolicy"] == "Forbid", "CronJob")
print("check-deploy: YAML parsed, manifest and Kubernetes checked")
PY
	ran=1
else
	echo "check-deploy: no python3 yaml: YAML not checked"
fi

[ "$ran" = 1 ] || exit 77
