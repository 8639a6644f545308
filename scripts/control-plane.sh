#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, from the binaries scripts/setup/control-plane.sh builds:
# etcd, kube-apiserver (RBAC and Node authorization, client certificates, a service-account signing
# key), kube-controller-manager, kube-scheduler and kwok (one fake Node on which Pods go Running and
# Ready). Every port is a free one on 127.0.0.1.
#
#   scripts/control-plane.sh start DIR   prints KUBECONFIG=DIR/kubeconfig once the cluster serves
#   scripts/control-plane.sh stop DIR    ends exactly the processes `start DIR` started
#
# DIR holds pki/, etcd/, logs/<process>.log, pids/<process>.pid and ports.env. DIR/kubeconfig is
# written last, when the API server is ready, the Node is Ready and the controller-manager has
# created the default ServiceAccount; a test may wait for the file to appear.
# testkit (Cluster::real) runs this same script, so the tests start exactly what a person starts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

# The order processes start in; stop ends them in reverse.
processes=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
readonly START_TIMEOUT=${FLUX_RS_CONTROL_PLANE_TIMEOUT:-120}

log() { echo "control-plane: $*" >&2; }

# True when pid $1 is alive and is the binary $2 (guards against a reused pid).
is_ours() {
  local pid=$1 name=$2 exe
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [ "$(basename "${exe% (deleted)}")" = "$name" ]
}

stop() {
  local name pid pids=() i
  pid=$(cat "$dir/pids/watchdog.pid" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$pid" != "${BASHPID:-$$}" ] && kill "$pid" 2>/dev/null || true
  rm -f "$dir/pids/watchdog.pid"
  for ((i = ${#processes[@]} - 1; i >= 0; i--)); do
    name=${processes[$i]}
    pid=$(cat "$dir/pids/$name.pid" 2>/dev/null || true)
    if is_ours "$pid" "$name"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid:$name")
    fi
    rm -f "$dir/pids/$name.pid"
  done
  # Give each up to 10 s to exit cleanly, then SIGKILL what is left.
  for _ in $(seq 100); do
    local alive=0
    for entry in "${pids[@]}"; do is_ours "${entry%%:*}" "${entry#*:}" && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for entry in "${pids[@]}"; do
    if is_ours "${entry%%:*}" "${entry#*:}"; then
      log "${entry#*:} did not exit on SIGTERM; killing it"
      kill -KILL "${entry%%:*}" 2>/dev/null || true
    fi
  done
  rm -f "$dir/kubeconfig"
}

if [ "$cmd" = stop ]; then
  [ -d "$dir" ] || { log "no such directory: $dir"; exit 1; }
  stop
  log "stopped the control plane in $dir"
  exit 0
fi
[ "$cmd" = start ] || usage

peers=${FLUX_RS_CONTROL_PLANE:-$(bash "$here/setup/control-plane.sh")}
bin=$peers/bin
kwok_stages=$(cat "$peers/kwok-stages")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
for name in "${processes[@]}"; do
  pid=$(cat "$dir/pids/$name.pid" 2>/dev/null || true)
  if is_ours "$pid" "$name"; then log "$name is already running from $dir (pid $pid): stop it first"; exit 1; fi
done
rm -rf "$dir/etcd" "$dir/kubeconfig" "$dir/pids"
mkdir -p "$dir/pki" "$dir/logs" "$dir/pids"

# On any failure: show the logs' tails and end what was started.
started=0
on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ $started -eq 1 ]; then
    for name in "${processes[@]}"; do
      [ -f "$dir/logs/$name.log" ] && { echo "----- $name.log (last lines)" >&2; tail -n 30 "$dir/logs/$name.log" >&2; }
    done
    stop
  fi
}
trap on_exit EXIT

# Free loopback ports, chosen together so that none repeats.
read -r etcd_port etcd_peer_port api_port kcm_port sched_port kwok_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
cat >"$dir/ports.env" <<EOF
ETCD_PORT=$etcd_port
APISERVER_PORT=$api_port
EOF

# --- PKI: one CA; a serving certificate for the API server; client certificates per component.
pki=$dir/pki
openssl_quiet() { openssl "$@" 2>/dev/null; }
openssl_quiet req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 3650 -subj /CN=flux-rs-test-ca
client_cert() { # name CN [O]
  local subj="/CN=$2"
  [ -n "${3:-}" ] && subj="/O=$3$subj"
  openssl_quiet req -newkey rsa:2048 -nodes -keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "$subj"
  openssl_quiet x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 3650 \
    -out "$pki/$1.crt" -extfile <(printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment')
}
openssl_quiet req -newkey rsa:2048 -nodes -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" -subj /CN=kube-apiserver
openssl_quiet x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 3650 \
  -out "$pki/apiserver.crt" -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment')
client_cert admin kubernetes-admin system:masters
client_cert controller-manager system:kube-controller-manager
client_cert scheduler system:kube-scheduler
client_cert kwok kwok-controller system:masters
# The aggregation layer's front proxy: the API server's request-header authentication needs it,
# and the controller-manager and scheduler read its CA (they log errors every few seconds without).
client_cert front-proxy-client front-proxy-client
openssl_quiet genrsa -out "$pki/sa.key" 2048
openssl_quiet rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"

b64() { base64 -w0 <"$1"; }
kubeconfig() { # file user
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: flux-rs-real
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority-data: $(b64 "$pki/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(b64 "$pki/$2.crt")
    client-key-data: $(b64 "$pki/$2.key")
contexts:
- name: flux-rs-real
  context:
    cluster: flux-rs-real
    user: $2
    namespace: default
current-context: flux-rs-real
EOF
}
for user in controller-manager scheduler kwok; do kubeconfig "$pki/$user.kubeconfig" "$user"; done

spawn() { # name args...: starts the binary in the background, its output in logs/<name>.log
  local name=$1
  shift
  "$bin/$name" "$@" </dev/null >"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
  started=1
}

alive() {
  local pid
  pid=$(cat "$dir/pids/$1.pid")
  is_ours "$pid" "$1" && return 0
  # Just spawned on a loaded machine: the forked shell has not exec'd the binary yet.
  kill -0 "$pid" 2>/dev/null && [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = bash ] && return 0
  log "$1 exited while starting (see $dir/logs/$1.log)"
  exit 1
}

deadline=$(($(date +%s) + START_TIMEOUT))
wait_until() { # what command...
  local what=$1
  shift
  until "$@" >/dev/null 2>&1; do
    for name in "${processes[@]}"; do [ -f "$dir/pids/$name.pid" ] && alive "$name"; done
    [ "$(date +%s)" -lt "$deadline" ] || { log "timed out after ${START_TIMEOUT}s waiting for $what"; exit 1; }
    sleep 0.2
  done
}

# --- etcd
spawn etcd --name=flux-rs --data-dir="$dir/etcd" \
  --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster="flux-rs=http://127.0.0.1:$etcd_peer_port" --unsafe-no-fsync=true --log-level=warn
wait_until "etcd /health" curl -fsS "http://127.0.0.1:$etcd_port/health"

# --- kube-apiserver. Services get kubeadm's range (a /24 holds 253: the 1,000-Kustomization
# benchmark has one Service each). A loopback advertise address is only valid with no endpoint reconciler (the
# out-of-cluster controllers never use the `kubernetes` Service).
spawn kube-apiserver --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 --secure-port="$api_port" --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
  --service-cluster-ip-range=10.96.0.0/12 --allow-privileged=true --authorization-mode=Node,RBAC \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --requestheader-client-ca-file="$pki/ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$pki/front-proxy-client.crt" --proxy-client-key-file="$pki/front-proxy-client.key" \
  --cert-dir="$dir/pki/generated"
curl_api() { curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://127.0.0.1:$api_port$1"; }
wait_until "kube-apiserver /readyz" curl_api /readyz

# --- the controller-manager (namespace deletion, garbage collection, Deployments to Pods,
# ServiceAccounts and their tokens), the scheduler and kwok.
spawn kube-controller-manager --kubeconfig="$pki/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$pki/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$pki/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$kcm_port" --leader-elect=false \
  --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
  --use-service-account-credentials=true --node-monitor-grace-period=3m20s
spawn kube-scheduler --kubeconfig="$pki/scheduler.kubeconfig" \
  --authentication-kubeconfig="$pki/scheduler.kubeconfig" --authorization-kubeconfig="$pki/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$sched_port" --leader-elect=false
spawn kwok --kubeconfig="$pki/kwok.kubeconfig" --manage-all-nodes=true --config="$kwok_stages" \
  --node-lease-duration-seconds=200 --server-address="127.0.0.1:$kwok_port" --node-port="$kwok_port"

kubeconfig "$dir/kubeconfig.tmp" admin
k() { kubectl --kubeconfig="$dir/kubeconfig.tmp" "$@"; }
k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    type: kwok
EOF
node_ready() { [ "$(k get node kwok-node-0 -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
wait_until "the kwok Node to be Ready" node_ready
wait_until "the default ServiceAccount (controller-manager)" k get serviceaccount default -n default
# With FLUX_RS_CONTROL_PLANE_OWNER=<pid> (testkit sets its own), a watchdog stops the control plane
# once that process is gone, so a test run that is killed leaves nothing running.
owner=${FLUX_RS_CONTROL_PLANE_OWNER:-}
if [ -n "$owner" ]; then
  setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" stop "$3"' \
    watchdog "$owner" "$here/control-plane.sh" "$dir" </dev/null >>"$dir/logs/watchdog.log" 2>&1 &
  echo $! >"$dir/pids/watchdog.pid"
fi
mv "$dir/kubeconfig.tmp" "$dir/kubeconfig"
trap - EXIT
log "serving at https://127.0.0.1:$api_port ($("$bin/kube-apiserver" --version)); logs in $dir/logs"
echo "KUBECONFIG=$dir/kubeconfig"
