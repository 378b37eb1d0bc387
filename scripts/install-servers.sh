#!/usr/bin/env bash
# Installs the real servers the tests run (Prometheus, Alertmanager, tinyproxy, sshd, tmux) when they are
# missing and we are root; otherwise says what the tests will skip. Never fails the build itself:
# tests decide (with CI=true a missing server is a test failure, not a skip).
set -u
need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
# Debian names the binary prometheus-alertmanager (some setups also link it as alertmanager).
{ command -v alertmanager >/dev/null 2>&1 || command -v prometheus-alertmanager >/dev/null 2>&1; } \
  && command -v amtool >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v tinyproxy >/dev/null 2>&1 || need+=(tinyproxy)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v git >/dev/null 2>&1 || need+=(git)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: not root or no apt-get; tests needing ${need[*]} will skip (or fail with CI=true)" >&2
  exit 0
fi
echo "installing ${need[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "warning: apt-get install ${need[*]} failed" >&2
# The Debian packages start their services; the tests run their own instances on free ports.
for svc in prometheus prometheus-alertmanager prometheus-node-exporter tinyproxy ssh; do
  (systemctl stop "$svc" || service "$svc" stop) >/dev/null 2>&1 || true
done
exit 0
