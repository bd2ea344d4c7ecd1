package org.pamjava.stack;

import java.util.Arrays;
import java.util.List;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamOperation;

/**
 * libpam's pam_get_authtok(3), pam_get_authtok_noverify(3) and pam_get_authtok_verify(3)
 * (libpam/pam_get_authtok.c of Linux-PAM 1.5.2; unchanged in substance up to 1.7) for the engine's
 * handle, with libpam's untranslated English prompts. Like libpam it reads the running rule's
 * arguments ({@code pamh->mod_argv}) and the running operation ({@code pamh->choice}), and keeps
 * whether the new token was verified ({@code pamh->authtok_verified}: only pam_start and an
 * unprompted new-password question clear it, never pam_chauthtok).
 */
final class StackAuthtok implements PamConstants {

    static final String PROMPT = "Password: ";
    static final String PROMPT_CURRENT_ARG = "Current %s password: ";
    static final String PROMPT_CURRENT_NOARG = "Current password: ";
    static final String PROMPT_NEW_ARG = "New %s password: ";
    static final String PROMPT_NEW_NOARG = "New password: ";
    static final String PROMPT_RETYPE_ARG = "Retype new %s password: ";
    static final String PROMPT_RETYPE_NOARG = "Retype new password: ";
    static final String RETYPE = "Retype %s";
    static final String MISTYPED_PASS = "Sorry, passwords do not match.";
    static final String ABORTED = "Password change has been aborted.";

    /** What libpam's items and conversation are to pam_get_authtok.c. */
    interface Items {
        char[] token(int item);

        void setToken(int item, char[] value);

        String authtokType();

        void setAuthtokType(String type);

        /** pam_prompt(3): the reply, or null; throws PamException when the conversation fails. */
        String prompt(Message message);
    }

    private final Items items;
    private List<String> ruleArgs = List.of();
    private PamOperation choice;
    private boolean verified;

    StackAuthtok(Items items) {
        this.items = items;
    }

    /** A rule's module is about to run (its arguments, as libpam's mod_argv) or has returned ({@code null}). */
    void running(PamOperation operation, List<String> args) {
        if (operation != null) {
            choice = operation;
        }
        ruleArgs = args == null ? List.of() : args;
    }

    /** libpam's get_option: "" for a bare {@code option}, its value for {@code option=value}, else null. */
    private String option(String option) {
        for (String arg : ruleArgs) {
            if (arg.startsWith(option)) {
                if (arg.length() == option.length()) {
                    return "";
                }
                if (arg.charAt(option.length()) == '=') {
                    return arg.substring(option.length() + 1);
                }
            }
        }
        return null;
    }

    /** pam_get_authtok_internal: {@code item} is PAM_AUTHTOK or PAM_OLDAUTHTOK. */
    char[] get(int item, String prompt, boolean noverify) {
        int chpass = 0;
        String authtokType = "";
        if (choice == PamOperation.CHAUTHTOK) {
            if (item == PAM_AUTHTOK) {
                chpass = noverify ? 1 : 2;
            }
            authtokType = option("authtok_type");
            if (authtokType == null) {
                authtokType = items.authtokType() == null ? "" : items.authtokType();
            } else {
                items.setAuthtokType(authtokType);
            }
        }
        char[] previous = items.token(item);
        if (previous != null) {
            return previous;
        }
        if (option("use_first_pass") != null || (chpass > 0 && option("use_authtok") != null)) {
            throw failure(chpass > 0 ? PAM_AUTHTOK_ERR : PAM_AUTH_ERR, "no token from an earlier module");
        }
        String first;
        String second = null;
        boolean answered;
        try {
            if (prompt != null) {
                first = ask(prompt);
                if (chpass > 1 && first != null) {
                    second = ask(RETYPE.formatted(prompt));
                }
            } else if (chpass > 0) {
                verified = false;
                first = ask(authtokType.isEmpty() ? PROMPT_NEW_NOARG : PROMPT_NEW_ARG.formatted(authtokType));
                if (chpass > 1 && first != null) {
                    second = ask(authtokType.isEmpty() ? PROMPT_RETYPE_NOARG : PROMPT_RETYPE_ARG.formatted(authtokType));
                }
            } else if (item == PAM_OLDAUTHTOK) {
                first = ask(authtokType.isEmpty() ? PROMPT_CURRENT_NOARG : PROMPT_CURRENT_ARG.formatted(authtokType));
            } else {
                first = ask(PROMPT);
            }
            answered = first != null && (chpass < 2 || second != null);
        } catch (PamException e) {
            first = second = null;
            answered = false;
        }
        if (!answered) {
            if (chpass > 0) {
                show(ABORTED);
            }
            throw failure(PAM_AUTHTOK_ERR, "no answer");
        }
        if (chpass > 1 && !first.equals(second)) {
            show(MISTYPED_PASS);
            throw failure(PAM_TRY_AGAIN, "the passwords do not match");
        }
        items.setToken(item, first.toCharArray());
        if (chpass > 1) {
            verified = true;
        }
        return items.token(item);
    }

    /** pam_get_authtok_verify, of the PAM_AUTHTOK item (as pam_java.so: none is PAM_AUTHTOK_ERR, nothing asked). */
    char[] verify(String prompt) {
        char[] token = items.token(PAM_AUTHTOK);
        if (token == null) {
            throw failure(PAM_AUTHTOK_ERR, "no PAM_AUTHTOK to verify");
        }
        if (choice != PamOperation.CHAUTHTOK) {
            Arrays.fill(token, '\0');
            throw failure(PAM_SYSTEM_ERR, "only in chauthtok");
        }
        if (verified) {
            return token;
        }
        String retyped;
        try {
            if (prompt != null) {
                retyped = ask(RETYPE.formatted(prompt));
            } else {
                String type = items.authtokType() == null ? "" : items.authtokType();
                retyped = ask(type.isEmpty() ? PROMPT_RETYPE_NOARG : PROMPT_RETYPE_ARG.formatted(type));
            }
        } catch (PamException e) {
            retyped = null;
        }
        try {
            if (retyped == null) {
                items.setToken(PAM_AUTHTOK, null);
                show(ABORTED);
                throw failure(PAM_AUTHTOK_ERR, "no answer");
            }
            if (!Arrays.equals(token, retyped.toCharArray())) {
                items.setToken(PAM_AUTHTOK, null);
                show(MISTYPED_PASS);
                throw failure(PAM_TRY_AGAIN, "the passwords do not match");
            }
        } finally {
            Arrays.fill(token, '\0');
        }
        items.setToken(PAM_AUTHTOK, retyped.toCharArray());
        verified = true;
        return items.token(PAM_AUTHTOK);
    }

    private String ask(String text) {
        return items.prompt(new Message(PAM_PROMPT_ECHO_OFF, text));
    }

    /** pam_error(3), whose failure libpam ignores here. */
    private void show(String text) {
        try {
            items.prompt(new Message(PAM_ERROR_MSG, text));
        } catch (PamException e) {
            // as libpam: the outcome is the token's, not the message's
        }
    }

    private static PamException failure(int code, String why) {
        return new PamException(code, "pam_get_authtok: " + PamCodes.strerror(code) + " (" + why + ")");
    }
}
