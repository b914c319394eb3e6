print("classgate")
