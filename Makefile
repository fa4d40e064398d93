# The two commands of the README, plus a few helpers. Every target installs what it needs.
.PHONY: run test bench bench-activity fuzz build release clean-data

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

# Benchmarks (release build); rewrites BENCHMARKS.md.
bench:
	bash scripts/bench.sh

# Only the subscriber activity benchmark (issue 18) at RATE events/s (default 20000); prints its Markdown.
bench-activity:
	for product in calls-api calls-worker calls-loadgen; do swift build -c release --product $$product >/dev/null || exit 1; done
	bash scripts/bench_activity.sh "$$(swift build -c release --show-bin-path)" $${RATE:-20000}

# Fuzzes the audio decoder entry for FUZZ_SECONDS (default 60).
fuzz:
	bash scripts/fuzz.sh $${FUZZ_SECONDS:-60}

build:
	swift build

release:
	swift build -c release

# Removes the private PostgreSQL/Redis data of `make run` (stop `make run` first).
clean-data:
	rm -rf .data
