import wit_world
