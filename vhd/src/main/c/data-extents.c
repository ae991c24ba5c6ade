/*
 * lseek(SEEK_DATA / SEEK_HOLE) for io.vhdstream.vhd.io.DataExtents: Java 17 has no API for them. Built into
 * the vhd jar when gcc is there (vhd/pom.xml, profile "native"); without it DataExtents treats every byte of
 * a file as data, which is correct and only slower on sparse files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jni.h>
#include <unistd.h>

/* The file descriptor of a JDK FileChannel (sun.nio.ch.FileChannelImpl.fd.fd), or -1 for any other channel. */
static int fd_of(JNIEnv *env, jobject channel) {
    jclass cc = (*env)->GetObjectClass(env, channel);
    jfieldID f = (*env)->GetFieldID(env, cc, "fd", "Ljava/io/FileDescriptor;");
    if (f == NULL) {
        (*env)->ExceptionClear(env);
        return -1;
    }
    jobject fdo = (*env)->GetObjectField(env, channel, f);
    if (fdo == NULL) {
        return -1;
    }
    jclass fdc = (*env)->GetObjectClass(env, fdo);
    jfieldID fi = (*env)->GetFieldID(env, fdc, "fd", "I");
    if (fi == NULL) {
        (*env)->ExceptionClear(env);
        return -1;
    }
    return (*env)->GetIntField(env, fdo, fi);
}

/*
 * The first offset >= `offset` that holds data (data true) or starts a hole (data false), as lseek(2) finds
 * it; -1 when there is none (ENXIO); -2 when `channel` has no file descriptor we can reach; -1000 - errno on
 * any other error. The file position is left where it was.
 */
JNIEXPORT jlong JNICALL Java_io_vhdstream_vhd_io_DataExtents_seek0(JNIEnv *env, jclass cls, jobject channel,
                                                                   jlong offset, jboolean data) {
    (void) cls;
    int fd = fd_of(env, channel);
    if (fd < 0) {
        return -2;
    }
    off_t was = lseek(fd, 0, SEEK_CUR);
    if (was < 0) {
        return -1000 - errno;
    }
    off_t found = lseek(fd, (off_t) offset, data ? SEEK_DATA : SEEK_HOLE);
    int err = errno;
    if (lseek(fd, was, SEEK_SET) < 0) {
        return -1000 - errno;
    }
    if (found < 0) {
        return err == ENXIO ? -1 : -1000 - err;
    }
    return (jlong) found;
}
