print("threadline")
