from corpuscope.cli import main

main()
