#!/usr/bin/env bash
# Makes the dashboard screenshots that README "Operating it" shows (docs/images/dashboard-*.png): starts the AppHost
# with local PostgreSQL and Redis in a fresh state folder on free ports, drives a little traffic through the gateway
# (register, logins, a WebSocket, a profile change, profile reads), then photographs the Aspire dashboard with
# Debian's Chromium through playwright-core (npm). Needs: the .NET SDK, node, /usr/bin/chromium, postgresql, redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
dashboard_port=$(free_port); otlp_port=$(free_port); resource_port=$(free_port); gateway_port=$(free_port)
state=$(mktemp -d /tmp/dashboard-screenshots-XXXXXX)
log="$state/apphost.log"

dotnet build AppHost -v quiet -nologo
(cd scripts/dashboard-screenshots && npm ci --silent --no-audit --no-fund)

cd AppHost
ASPNETCORE_URLS="http://localhost:$dashboard_port" \
ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://localhost:$otlp_port" \
ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://localhost:$resource_port" \
ASPIRE_ALLOW_UNSECURED_TRANSPORT=true DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development \
  dotnet bin/Debug/net10.0/AppHost.dll --Infrastructure:Mode=local "--Infrastructure:DataDirectory=$state" \
  "--Gateway:Port=$gateway_port" > "$log" 2>&1 &
apphost=$!
cd "$repo"
# SIGTERM stops the AppHost, and DCP stops the services and servers it started.
trap 'kill -TERM $apphost 2>/dev/null; wait $apphost 2>/dev/null; rm -rf "$state"' EXIT

for _ in $(seq 300); do
  login_url=$(grep -o "http://localhost:$dashboard_port/login?t=[0-9a-f]*" "$log" | head -1 || true)
  if [ -n "$login_url" ] && curl -sf "http://127.0.0.1:$gateway_port/.well-known/openid-configuration" > /dev/null; then
    break
  fi
  kill -0 $apphost 2>/dev/null || { cat "$log"; exit 1; }
  sleep 1
done
[ -n "$login_url" ] || { echo "the AppHost printed no dashboard login URL" >&2; exit 1; }

mkdir -p docs/images
node --experimental-websocket scripts/dashboard-screenshots/screenshots.mjs \
  "$login_url" "http://127.0.0.1:$gateway_port" docs/images
