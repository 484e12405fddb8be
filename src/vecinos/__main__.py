from vecinos.cli import main

main()
