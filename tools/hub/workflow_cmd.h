/* workflow_cmd: examhub's certification commands (see workflow_cmd.c). */
#ifndef WORKFLOW_CMD_H
#define WORKFLOW_CMD_H

/* Runs CMD when it is a workflow command; -1 when it is not one. */
int workflow_main(const char *cmd, int argc, char **argv);
int workflow_is_command(const char *cmd);

#endif
