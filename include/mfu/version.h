#ifndef MFU_VERSION_H
#define MFU_VERSION_H
#define MFU_VERSION "0.1.0"
#endif
