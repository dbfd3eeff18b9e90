/* workflow_cmd: examhub's certification commands (workflow_cmd.c: options and
 * the command table; the commands in wf_import.c, wf_plan.c, wf_output.c). */
#ifndef WORKFLOW_CMD_H
#define WORKFLOW_CMD_H

/* Runs CMD when it is a workflow command; -1 when it is not one. */
int workflow_main(const char *cmd, int argc, char **argv);
int workflow_is_command(const char *cmd);

#endif
