# nbgrader configuration for a course whose notebooks run on gomp, the Go
# kernel. `gomp grade init` writes this file; see README, Teaching with gomp.
c = get_config()

# Solutions sit between "// BEGIN SOLUTION" and "// END SOLUTION" (the
# markers are found in any line, so Go comments work as they are), hidden
# tests between "// BEGIN HIDDEN TESTS" and "// END HIDDEN TESTS".
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# What replaces a solution in the student's version: Go has no `raise
# NotImplementedError()`; a panic compiles in any function, whatever it
# returns, and fails the tests until the student writes the code.
c.ClearSolutions.code_stub = {
    "go": '// YOUR CODE HERE\npanic("not implemented")',
}

# Each cell may run this many seconds; then nbgrader interrupts the kernel,
# records a timeout error in the cell (0 points) and goes on.
# `gomp run --grade --timeout 60s` grades with the same limit.
c.Execute.timeout = 60
