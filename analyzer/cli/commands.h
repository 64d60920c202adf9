/* The `mfu` subcommands. Each takes the arguments after its own name (argv[0] is the
 * subcommand) and returns the process exit status: 0 success, 1 a runtime failure,
 * 2 bad usage or bad input (a message on stderr says what and how to fix it). */
#ifndef MFU_COMMANDS_H
#define MFU_COMMANDS_H

int cmd_report(int argc, char **argv);  /* report.c  */
int cmd_run(int argc, char **argv);     /* run.c     */
int cmd_predict(int argc, char **argv); /* predict.c */
int cmd_models(int argc, char **argv);  /* predict.c */
int cmd_hw(int argc, char **argv);      /* hardware.c */
int cmd_calibrate(int argc, char **argv); /* calibrate.c */

#endif
