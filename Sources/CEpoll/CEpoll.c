// Headers only; this file gives SwiftPM a source to build the target from.
#include "CEpoll.h"
