import os

# The normal run keeps the fuzzers quick; FUZZ_EXAMPLES=5000 (for example) goes deeper.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
