/* pam_driver.c - runs PAM operations on many private configuration directories and prints the return codes. */

/*
 * Input, one job per line:  ID CONFDIR SERVICE USER OPS
 *   USER "-" means no user; OPS is a string of a=authenticate s=setcred m=acct_mgmt
 *   o=open_session c=close_session p=chauthtok, run in order with flags 0.
 * Output, one line per job:  ID CODE...   or   ID start CODE   when pam_start_confdir fails,
 * or   ID signal N   when libpam crashed (it does, in pam_start, on an include without a name),
 * or   ID timeout   when it took more than JOB_SECONDS (libpam never finishes includes that
 * multiply without end, such as a file that includes itself twice).
 * Each job runs in a forked child, so a crash ends only its job and thousands of stacks still
 * cost about a millisecond each.
 */

#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define ANSWER "answer"
#define JOB_SECONDS 20

static void free_replies(struct pam_response *replies, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(replies[i].resp);
	free(replies);
}

/* Answers every prompt with ANSWER and accepts every message. */
static int converse(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *replies;
	int i;

	(void) data;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	replies = calloc((size_t) n, sizeof(*replies));
	if (replies == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_ON && msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			continue;
		replies[i].resp = strdup(ANSWER);
		if (replies[i].resp == NULL) {
			free_replies(replies, n);
			return PAM_BUF_ERR;
		}
	}
	*resp = replies;
	return PAM_SUCCESS;
}

/* One operation; -1 for an unknown letter. */
static int run_op(pam_handle_t *pamh, char op)
{
	switch (op) {
	case 'a': return pam_authenticate(pamh, 0);
	case 's': return pam_setcred(pamh, 0);
	case 'm': return pam_acct_mgmt(pamh, 0);
	case 'o': return pam_open_session(pamh, 0);
	case 'c': return pam_close_session(pamh, 0);
	case 'p': return pam_chauthtok(pamh, 0);
	default: return -1;
	}
}

/* Runs one job line; 0 on success, -1 on bad input or a failed pam_end. */
static int run_job(char *line)
{
	const struct pam_conv conv = { converse, NULL };
	char *save = NULL;
	char *id = strtok_r(line, " \n", &save);
	char *confdir = strtok_r(NULL, " \n", &save);
	char *service = strtok_r(NULL, " \n", &save);
	char *user = strtok_r(NULL, " \n", &save);
	char *ops = strtok_r(NULL, " \n", &save);
	pam_handle_t *pamh = NULL;
	int last = PAM_SUCCESS;
	int rc;

	if (id == NULL || confdir == NULL || service == NULL || user == NULL || ops == NULL) {
		fprintf(stderr, "pam_driver: malformed job line\n");
		return -1;
	}
	rc = pam_start_confdir(service, strcmp(user, "-") == 0 ? NULL : user, &conv, confdir, &pamh);
	if (rc != PAM_SUCCESS) {
		if (printf("%s start %d\n", id, rc) < 0)
			return -1;
		return 0;
	}
	if (printf("%s", id) < 0)
		return -1;
	for (; *ops != '\0'; ops++) {
		rc = run_op(pamh, *ops);
		if (rc < 0) {
			fprintf(stderr, "pam_driver: unknown operation '%c'\n", *ops);
			pam_end(pamh, PAM_ABORT);
			return -1;
		}
		if (printf(" %d", rc) < 0)
			return -1;
		last = rc;
	}
	rc = pam_end(pamh, last);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "pam_driver: pam_end: %d\n", rc);
		return -1;
	}
	if (printf("\n") < 0)
		return -1;
	return 0;
}

/* Runs one job in a child; 0 when it ran (or crashed, which is reported), -1 otherwise. */
static int run_job_isolated(char *line)
{
	char id[64];
	pid_t pid;
	int status;

	if (sscanf(line, "%63s", id) != 1) {
		fprintf(stderr, "pam_driver: malformed job line\n");
		return -1;
	}
	if (fflush(stdout) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		perror("pam_driver: fork");
		return -1;
	}
	if (pid == 0) {
		int rc;

		alarm(JOB_SECONDS); /* the default action ends the child */
		rc = run_job(line);

		_exit(fflush(stdout) == 0 && rc == 0 ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("pam_driver: waitpid");
		return -1;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return printf("%s timeout\n", id) < 0 ? -1 : 0;
	if (WIFSIGNALED(status))
		return printf("%s signal %d\n", id, WTERMSIG(status)) < 0 ? -1 : 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(void)
{
	char line[8192];

	while (fgets(line, sizeof(line), stdin) != NULL) {
		/* A caller that sends one job and waits for its line (ConfigParserJazzerTest) needs the
		 * parent's own lines, a crash or a timeout, written now, not before the next fork. */
		if (run_job_isolated(line) != 0 || fflush(stdout) != 0)
			return 1;
	}
	if (ferror(stdin) || fflush(stdout) != 0)
		return 1;
	return 0;
}
