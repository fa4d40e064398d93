# The two commands of the README, plus a few helpers. Every target installs what it needs.
.PHONY: run test build release clean-data

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

build:
	swift build

release:
	swift build -c release

# Removes the private PostgreSQL/Redis data of `make run` (stop `make run` first).
clean-data:
	rm -rf .data
