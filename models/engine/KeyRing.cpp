// Ed25519 key ring (implementation pending in this commit series).
#include "KeyRing.h"
