#!/usr/bin/env bash
# Makes sure `redis-server` is available for the scale-out tests of module testing
# (dev.quarry.testing.redis.RedisTestServer starts its own instance on a free loopback port).
# Run by the Maven build of module testing (generate-resources); skip it with -Dquarry.skipRedis=true.
# Its first argument is the build's maven.test.skip: a build that runs no tests needs no Redis.
#
#   redis-server on the PATH          -> nothing to do
#   root with apt-get (Debian/Ubuntu) -> apt-get install redis-server, without starting the
#                                        package's service (tests never use it)
#   otherwise, or if apt-get fails    -> a warning saying what to install; the build goes on, and
#                                        the tests that need Redis fail with the same advice
set -u

advice="install it (Debian/Ubuntu: apt-get install redis-server), or build with -Dquarry.skipRedis=true to skip the tests that need it"

if [ "${1:-false}" = "true" ]; then
  echo "redis: tests are skipped (maven.test.skip); redis-server is not needed"
  exit 0
fi

if command -v redis-server >/dev/null 2>&1; then
  echo "redis: $(redis-server --version | head -n 1)"
  exit 0
fi

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "redis: WARNING: redis-server is not on the PATH and cannot be installed here (needs root and apt-get): $advice" >&2
  exit 0
fi

echo "redis: redis-server is not on the PATH; installing the redis-server package with apt-get"
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
# Keep the package's service from starting: tests run their own redis-server on a free port.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=true
fi
status=0
apt-get update -qq >"$log" 2>&1 || status=$?
if [ "$status" = "0" ]; then
  apt-get install -y -qq redis-server >>"$log" 2>&1 || status=$?
fi
if [ "$added_policy" = "true" ]; then
  rm -f "$policy"
fi
if [ "$status" != "0" ] || ! command -v redis-server >/dev/null 2>&1; then
  echo "redis: WARNING: apt-get could not install redis-server (exit code $status). Its last lines:" >&2
  # Package sources are shown as <source>, so that no address ends up in build logs.
  tail -n 5 "$log" | sed -E 's#[A-Za-z][A-Za-z0-9+.-]*://[^ ]*#<source>#g' >&2
  rm -f "$log"
  echo "redis: $advice" >&2
  exit 0
fi
rm -f "$log"
echo "redis: installed $(redis-server --version | head -n 1) in $(($(date +%s) - started)) s"
