/*
 * commands — the table of subscriber commands and the helpers they share.
 * Adding a command = a cmd_<name>.c file, a row here and its templates.
 */
#include "cmd/command.h"
#include "cmd/rules.h"
#include "store/subscribers.h"

#include <stdio.h>
#include <string.h>

extern const struct command cmd_checkin, cmd_help, cmd_join, cmd_lang, cmd_points, cmd_spin,
    cmd_start, cmd_stop;
extern const struct command cmd_redeem;
extern const struct command cmd_answer, cmd_code, cmd_missions, cmd_quiz, cmd_ref, cmd_top;
extern const struct command cmd_chances;

/* clang-format off */
static const struct command *const command_table[] = {
    &cmd_checkin, &cmd_help,     &cmd_join, &cmd_lang,   &cmd_points,
    &cmd_spin,    &cmd_start,    &cmd_stop, &cmd_redeem, &cmd_answer,
    &cmd_code,    &cmd_missions, &cmd_quiz, &cmd_ref,    &cmd_top,
    &cmd_chances,
};
/* clang-format on */

const struct command *
command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(command_table) / sizeof(command_table[0]); i++) {
		if (strcmp(command_table[i]->name, name) == 0)
			return command_table[i];
	}
	return NULL;
}

/* Keys, allowed placeholders and long sample values for the segment check. */
const struct template_spec command_templates[] = {
    {"help", "kw_join,kw_points,kw_lang,kw_stop,kw_start,kw_spin,kw_checkin",
     "kw_join=register,kw_points=balance,kw_lang=language,kw_stop=unsubscribe,"
     "kw_start=resume,kw_spin=گردونه,kw_checkin=checkin"},
    {"join_welcome", "kw_help,kw_stop,kw_points",
     "kw_help=راهنمایی,kw_stop=unsubscribe,kw_points=balance"},
    {"join_already", "kw_points,kw_help", "kw_points=balance,kw_help=راهنمایی"},
    {"join_back", "kw_stop", "kw_stop=unsubscribe"},
    {"stop_done", "kw_start", "kw_start=resume"},
    {"start_done", "kw_stop", "kw_stop=unsubscribe"},
    {"start_not_member", "kw_join", "kw_join=register"},
    {"lang_set", "kw_help", "kw_help=راهنمایی"},
    {"lang_usage", "", ""},
    {"points_balance", "points,chances,tier", "points=12345678,chances=123456,tier=platinum"},
    {"points_not_member", "kw_join", "kw_join=register"},
    {"unknown", "kw_help", "kw_help=راهنمایی"},
    {"unknown_suggest", "suggestion,kw_help", "suggestion=راهنمایی,kw_help=راهنمایی"},
    {"rate_limited", "", ""},
    {"game_not_member", "kw_join", "kw_join=register"},
    {"no_campaign", "kw_help", "kw_help=راهنمایی"},
    {"spin_won", "prize,balance", "prize=پنجاه امتیاز هدیه نوروزی,balance=12345678"},
    {"spin_voucher", "prize,voucher",
     "prize=کد تخفیف ۵۰ هزار تومانی اسنپ,voucher=SNAPP-ABCDEFGHIJKLMNOP"},
    {"spin_nothing", "prize,kw_checkin", "prize=فردا دوباره امتحان کنید,kw_checkin=checkin"},
    {"spin_already", "kw_checkin", "kw_checkin=checkin"},
    {"checkin_done", "points,streak,balance", "points=1000,streak=365,balance=12345678"},
    {"checkin_bonus", "points,bonus,streak,balance",
     "points=1000,bonus=10000,streak=365,balance=12345678"},
    {"checkin_already", "streak", "streak=365"},
    {"redeem_catalog", "items,balance,kw_redeem",
     "items=1) data-1g: 500 2) snapp-100: 800 3) lottery-chance: 200 4) cinema-ticket-2: 1500 5) "
     "x-yz: 9999,"
     "balance=12345678,kw_redeem=جایزه"},
    {"redeem_unknown", "items,kw_redeem",
     "items=1) data-1g: 500 2) snapp-100: 800 3) lottery-chance: 200 4) cinema-ticket-2: 1500 5) "
     "x-yz: 9999,"
     "kw_redeem=جایزه"},
    {"redeem_done", "item,cost,balance",
     "item=یک شانس اضافه در قرعه‌کشی بزرگ جشنواره "
     "نوروز,cost=1000000,balance=12345678"},
    {"redeem_voucher", "item,cost,balance,voucher",
     "item=کد تخفیف ۱۰۰ هزار ریالی اسنپ برای سفرهای "
     "درون‌شهری,cost=1000000,balance=12345678,"
     "voucher=SNAPP-ABCDEFGHIJKLMNOP"},
    {"redeem_short", "item,cost,balance",
     "item=کد تخفیف ۱۰۰ هزار ریالی اسنپ برای سفرهای "
     "درون‌شهری,cost=1000000,balance=12345678"},
    {"redeem_no_stock", "item,kw_redeem",
     "item=کد تخفیف ۱۰۰ هزار ریالی اسنپ برای سفرهای "
     "درون‌شهری,kw_redeem=جایزه"},
    {"redeem_none", "kw_help", "kw_help=راهنمایی"},
    {"redeem_usage", "", ""},
    {"points_expiring", "points,date", "points=12345678,date=2026-03-21"},
    {"code_yours", "code,numeric,kw_join", "code=ABCDEFGH,numeric=123456789012,kw_join=register"},
    {"ref_done", "balance,chances", "balance=12345678,chances=123456"},
    {"ref_done_voucher", "voucher,balance", "voucher=SNAPP-ABCDEFGHIJKLMNOP,balance=12345678"},
    {"ref_pending", "", ""},
    {"ref_off", "", ""},
    {"ref_invalid", "code,kw_ref", "code=ABCDEFGHJKMNPQRS,kw_ref=referral"},
    {"ref_already", "", ""},
    {"ref_self", "kw_code", "kw_code=mycode"},
    {"ref_unknown", "code", "code=ABCDEFGHJKMNPQRS"},
    {"ref_mutual", "", ""},
    {"ref_too_late", "days", "days=365"},
    {"ref_cap", "", ""},
    {"ref_usage", "", ""},
    {"join_ref_done", "balance,kw_help,kw_stop",
     "balance=12345678,kw_help=راهنمایی,kw_stop=unsubscribe"},
    {"join_ref_voucher", "voucher,kw_stop", "voucher=SNAPP-ABCDEFGHIJKLMNOP,kw_stop=unsubscribe"},
    {"join_ref_pending", "kw_stop", "kw_stop=unsubscribe"},
    {"join_ref_invalid", "code,days,kw_ref,kw_stop",
     "code=ABCDEFGHJKMNPQRS,days=365,kw_ref=referral,kw_stop=unsubscribe"},
    {"join_ref_unknown", "code,days,kw_ref,kw_stop",
     "code=ABCDEFGHJKMNPQRS,days=365,kw_ref=referral,kw_stop=unsubscribe"},
    {"join_ref_cap", "kw_stop", "kw_stop=unsubscribe"},
    {"join_ref_refused", "code,kw_stop", "code=ABCDEFGHJKMNPQRS,kw_stop=unsubscribe"},
    {"quiz_question", "question,choices,kw_answer",
     "question=سفره هفت‌سین چند قلم دارد که نامشان "
     "با «س» آغاز می‌شود؟,"
     "choices=1) ۵\n2) ۷\n3) ۹\n4) ۱۳,kw_answer=answer"},
    {"quiz_none", "", ""},
    {"quiz_right", "points,balance", "points=1000,balance=12345678"},
    {"quiz_wrong", "number,choice", "number=8,choice=گذراندن روز سیزدهم فروردین در طبیعت"},
    {"quiz_already", "", ""},
    {"quiz_bad_choice", "max,kw_answer", "max=8,kw_answer=answer"},
    {"answer_usage", "", ""},
    {"top_board", "rank,points,top1,top2,top3,top4,top5",
     "rank=10000+,points=12345678,top1=\n1) +98912***4567: 12345678,"
     "top2=\n2) +98912***4567: 12345678,top3=\n3) +98912***4567: 12345678,"
     "top4=\n4) +98912***4567: 12345678,top5=\n5) +98912***4567: 12345678"},
    {"missions_progress", "checkin,streak,spin,quiz,events_label,events,referrals",
     "checkin=1/1,streak=365,spin=10/10,quiz=1/1,events_label=پرداخت قبض,events=100/100,"
     "referrals=100/100"},
    {"missions_recharge", "", ""},
    {"missions_bundle", "", ""},
    {"missions_bill", "", ""},
    {"missions_custom", "", ""},
    {"ussd_more", "", ""},
    {"ussd_back", "", ""},
    {"ussd_invalid", "", ""},
    {"ussd_bad_request", "", ""},
    {"ussd_busy", "", ""},
    {"ussd_timeout", "", ""},
    {"ussd_ended", "", ""},
    {"ussd_unavailable", "", ""},
    {"ussd_done", "", ""},
    {"tier_downgrade", "tier", "tier=platinum-plus-members"},
    {"chances_count", "chances,prize,cutoff",
     "chances=123456,prize=یک دستگاه خودروی صفر کیلومتر برای برنده اول,cutoff=1405-01-13 23:59"},
    {"chances_closed", "chances,prize,cutoff",
     "chances=123456,prize=یک دستگاه خودروی صفر کیلومتر برای برنده اول,cutoff=1405-01-13 23:59"},
    {"chances_no_draw", "chances", "chances=123456"},
    {"draw_winner", "draw,rank", "draw=grand-nowruz-1405-final-draw-of-year,rank=1000"},
    {"draw_commitment", "draw,commitment",
     "draw=grand-nowruz-1405-final-draw-of-year,commitment=0123456789abcdef"},
    {"tier_upgrade", "tier", "tier=platinum-plus"},
    {"referral_rewarded", "friends,points,chances,voucher",
     "friends=1000,points=1234567,chances=12345,voucher=SNAPP-ABCDEFGHIJKLMNOP"},
    {"referral_milestone", "friends,points,chances,voucher",
     "friends=1000,points=1234567,chances=12345,voucher=SNAPP-ABCDEFGHIJKLMNOP"},
    {"mission_stage", "mission,count,points,chances,voucher",
     "mission=recharge-week,count=100,points=1234567,chances=12345,"
     "voucher=SNAPP-ABCDEFGHIJKLMNOP"},
    {"mission_complete", "mission,count,points,chances,voucher",
     "mission=recharge-week,count=100,points=1234567,chances=12345,"
     "voucher=SNAPP-ABCDEFGHIJKLMNOP"},
};
const size_t command_templates_count = sizeof(command_templates) / sizeof(command_templates[0]);

/* True when text holds a letter of the Arabic block (Persian/Arabic script). */
static int
has_arabic_script(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		if (*p >= 0xD8 && *p <= 0xDB)
			return 1;
	}
	return 0;
}

void
cmd_pick_lang(struct cmd_ctx *ctx, const struct subscriber *s)
{
	const char *lang = ctx->rules->default_lang;
	if (s != NULL && s->lang[0] != '\0')
		lang = s->lang;
	else if (ctx->match != NULL && ctx->match->lang != NULL)
		lang = ctx->match->lang;
	else if (ctx->text != NULL && ctx->text[0] != '\0')
		lang = has_arabic_script(ctx->text) ? "fa" : "en";
	if (!templates_has_lang(ctx->rules->templates, lang))
		lang = ctx->rules->default_lang;
	snprintf(ctx->lang, sizeof(ctx->lang), "%s", lang);
}

void
cmd_set_var(struct cmd_ctx *ctx, const char *name, const char *value)
{
	if (ctx->nvars == CMD_MAX_VARS)
		return;
	snprintf(ctx->var_values[ctx->nvars], sizeof(ctx->var_values[0]), "%s", value);
	ctx->vars[ctx->nvars].name = name;
	ctx->vars[ctx->nvars].value = ctx->var_values[ctx->nvars];
	ctx->nvars++;
}

int
cmd_subscriber(struct cmd_ctx *ctx, int lock, struct subscriber *s, struct db_error *err)
{
	if (ctx->known != NULL && (ctx->known_locked || !lock)) {
		*s = *ctx->known;
		return 0;
	}
	return lock ? subscribers_lock(ctx->conn, ctx->msisdn, s, err)
	            : subscribers_get(ctx->conn, ctx->msisdn, s, err);
}

int
cmd_game_begin(struct cmd_ctx *ctx, unsigned needs, struct subscriber *s, struct db_error *err)
{
	if (cmd_subscriber(ctx, (needs & CMD_LOCK) != 0, s, err) < 0)
		return -1;
	cmd_pick_lang(ctx, s);
	if ((needs & CMD_MEMBER) && (!s->member || s->opted_out)) {
		ctx->reply_key = "game_not_member";
		cmd_set_keyword(ctx, "join");
		return 0;
	}
	/* sms_rules_campaign only ever gives a running campaign. */
	if ((needs & CMD_CAMPAIGN) && ctx->campaign == NULL) {
		ctx->reply_key = "no_campaign";
		cmd_set_keyword(ctx, "help");
		return 0;
	}
	return 1;
}

void
cmd_upper_latin(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 32);
	}
}

void
cmd_set_keyword(struct cmd_ctx *ctx, const char *command)
{
	static const struct {
		const char *command, *var;
	} names[] = {{"join", "kw_join"}, {"points", "kw_points"},   {"lang", "kw_lang"},
	             {"stop", "kw_stop"}, {"start", "kw_start"},     {"help", "kw_help"},
	             {"spin", "kw_spin"}, {"checkin", "kw_checkin"}, {"code", "kw_code"},
	             {"ref", "kw_ref"},   {"answer", "kw_answer"}};
	const char *kw = grammar_keyword(ctx->rules->grammar, command, ctx->lang);
	if (kw == NULL)
		kw = grammar_keyword(ctx->rules->grammar, command, "en");
	char upper[96];
	/* Latin keywords read best in capitals in an SMS ("text JOIN"); matching is
	 * caseless anyway. */
	snprintf(upper, sizeof(upper), "%s", kw != NULL ? kw : command);
	cmd_upper_latin(upper);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i].command, command) == 0)
			cmd_set_var(ctx, names[i].var, upper);
	}
}
