# Thin aliases for ./stackworks-dev (the real entry point; see its header).
.PHONY: bootstrap test demo bench

bootstrap:
	./stackworks-dev bootstrap

test:
	./stackworks-dev test

demo:
	./stackworks-dev demo

bench:
	./stackworks-dev bench
