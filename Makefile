# flux-rs developer targets. The two commands a newcomer needs are `make run` and `make test`
# (the same as scripts/run.sh and scripts/test.sh).

CARGO ?= cargo
CONTROLLERS := source-controller kustomize-controller helm-controller notification-controller image-controller
IMAGE_REPO ?= ghcr.io/flux-rs
IMAGE_TAG ?= dev

.PHONY: all build test lint fmt crds verify e2e e2e-real bench run docker chart clean setup

all: build

## build: compile every crate (debug)
build:
	$(CARGO) build --workspace

## setup: install the real peers and oracles the tests use (apt-get, pip)
setup:
	bash scripts/setup/all.sh

## test: the full test command (setup, fmt, CRDs, clippy, every test)
test:
	bash scripts/test.sh

## lint: formatting and clippy, warnings are errors
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## fmt: format the code
fmt:
	$(CARGO) fmt --all

## crds: regenerate config/crds/ and the chart's crds/ from the API types
crds:
	$(CARGO) run --quiet -p flux-api --bin crdgen -- config/crds charts/flux-rs/crds

## verify: regenerate the CRDs and check that nothing changed, plus lint
verify: crds lint
	@test -z "$$(git status --porcelain -- config/crds charts/flux-rs/crds)" || { git status --short -- config/crds charts/flux-rs/crds; echo "generated CRDs are stale: commit the regenerated files"; exit 1; }

## e2e: process-level end-to-end tests (emulator, git server, controllers, kubectl)
e2e: setup
	$(CARGO) test -p e2e -- --test-threads=1

## e2e-real: the same e2e suite on the real control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)
e2e-real: setup
	FLUX_RS_CLUSTER=real $(CARGO) test -p e2e -p testkit -p flux-ssa -- --test-threads=1

## bench: every benchmark (each compares against its real peer in the same run)
bench: setup
	$(CARGO) bench --workspace

## run: start flux-rs locally on the embedded default
run:
	bash scripts/run.sh

## docker: one image per controller and one for the CLI (needs a Docker engine)
docker:
	@for target in $(CONTROLLERS) flux; do \
		docker build --target $$target -t $(IMAGE_REPO)/$$target:$(IMAGE_TAG) . || exit 1; \
	done

## chart: refresh the chart's CRDs and package the chart as a .tgz under target/charts
chart: crds
	mkdir -p target/charts && tar -czf target/charts/flux-rs-$$(sed -n 's/^version: *//p' charts/flux-rs/Chart.yaml).tgz -C charts flux-rs
	@ls target/charts/

clean:
	$(CARGO) clean
