// stub: a public header
