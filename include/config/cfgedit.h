/* cfgedit: changes one deployment's model in the config file it was loaded from, in place: the
 * value of its litellm_params.model line is replaced (its provider prefix and quoting kept) and
 * every other byte of the file, comments included, stays as it was. A backup of the file as
 * it was is written first (FILE.bak, 0600).
 *
 * Refused, with a message for the user: a config not loaded from a file; a file changed on
 * disk since it was loaded (it would overwrite someone's edit: reload first); a file or folder
 * that cannot be written; a model value not written as one plain or quoted scalar on its line
 * (an alias, a block scalar); a new name with characters no model id has.
 *
 * Not thread-safe against concurrent edits of the same file (the caller serialises). */
#ifndef SB_CFGEDIT_H
#define SB_CFGEDIT_H

#include <stddef.h>

#include "config/config.h"

/* Sets deployment dep_id of cfg (loaded from cfg->path) to new_model, the provider's model id
 * without a prefix ("gpt-oss-120b"). 0 on success, with the backup's path in backup (may be
 * NULL); else -errno with err set (errlen bytes). */
int cfgedit_set_model(const struct config *cfg, const char *dep_id, const char *new_model,
                      char *backup, size_t backup_len, char *err, size_t errlen);

/* The line that sets dep's model to new_model as it would be written ("model:
 * cerebras/gpt-oss-120b"), for --check --online's suggestion. */
void cfgedit_model_line(const struct deployment_cfg *dep, const char *new_model, char *out,
                        size_t n);

#endif
