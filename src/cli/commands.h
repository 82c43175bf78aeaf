/* commands.h: the mlpbench subcommands; each returns the process exit status. */
#ifndef MLP_COMMANDS_H
#define MLP_COMMANDS_H

int mlp_cmd_train(int argc, char **argv);
int mlp_cmd_list(int argc, char **argv);
int mlp_cmd_check(int argc, char **argv);
int mlp_cmd_bench(int argc, char **argv);
int mlp_cmd_info(int argc, char **argv);
int mlp_cmd_peak(int argc, char **argv);
int mlp_cmd_compare(int argc, char **argv);

#endif
