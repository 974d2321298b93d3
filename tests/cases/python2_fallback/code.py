import os


def cleanup(path):
    print "removing", path
    os.system("rm -rf " + path)
