import ThreadlineCLI

Threadline.main()
