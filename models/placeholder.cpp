// replaced as models/ fills in
