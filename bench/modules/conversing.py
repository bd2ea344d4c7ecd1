# The benchmark's conversing pam_python module, the same steps as ConversingModule.java: asks for
# a password and checks it with the user, checks the user in account management, and sets then
# removes a PAM environment variable in the session.

def pam_sm_authenticate(pamh, flags, argv):
    user = pamh.get_user(None)
    answer = pamh.conversation(pamh.Message(pamh.PAM_PROMPT_ECHO_OFF, "Password: "))
    if user == "bench" and answer.resp == "bench-secret":
        return pamh.PAM_SUCCESS
    return pamh.PAM_AUTH_ERR


def pam_sm_setcred(pamh, flags, argv):
    return pamh.PAM_SUCCESS


def pam_sm_acct_mgmt(pamh, flags, argv):
    return pamh.PAM_SUCCESS if pamh.user == "bench" else pamh.PAM_USER_UNKNOWN


def pam_sm_open_session(pamh, flags, argv):
    pamh.env["BENCH_SESSION"] = "open"
    return pamh.PAM_SUCCESS


def pam_sm_close_session(pamh, flags, argv):
    try:
        if pamh.env["BENCH_SESSION"] != "open":
            return pamh.PAM_SESSION_ERR
        del pamh.env["BENCH_SESSION"]
    except KeyError:
        return pamh.PAM_SESSION_ERR
    return pamh.PAM_SUCCESS
