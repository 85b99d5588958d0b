"""rcpsp"""
