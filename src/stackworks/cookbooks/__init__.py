"""cookbooks"""
