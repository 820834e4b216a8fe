// Module EdgeCache: see Package.swift for its role.
