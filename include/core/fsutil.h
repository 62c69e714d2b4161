/* fsutil: the directories of the files switchboard writes itself (request log, state file).
 * They may hold what a request carried, so they are created private (0700). The one file-system
 * helper in core; thread-safe (no state). */
#ifndef SB_FSUTIL_H
#define SB_FSUTIL_H

/* Creates every missing directory above path (not path itself), mode 0700; existing ones are
 * left as they are. Errors are left to the caller's open of path, which names the file. Paths
 * longer than 1023 bytes are cut there. */
void fsutil_make_parents(const char *path);

#endif
