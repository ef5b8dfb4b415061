import FaxIntakeCLI

FaxIntakeCommand.runMain()
