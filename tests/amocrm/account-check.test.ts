// accountMismatch: every account field present in a webhook body must be exactly the configured
// account (subdomain case-insensitively); absent fields are not checked; with nothing configured,
// nothing is. Messages name what was found.
import { describe, expect, it } from "vitest";
import { accountMismatch } from "../../supabase/functions/_shared/amocrm/account-check.ts";
import { readAmocrmConfig } from "../../supabase/functions/_shared/amocrm/config.ts";
import { parseFormBody } from "../../supabase/functions/_shared/amocrm/form-body.ts";

const both = readAmocrmConfig({ AMOCRM_SUBDOMAIN: "School", AMOCRM_ACCOUNT_ID: "31415" });
const subdomainOnly = readAmocrmConfig({ AMOCRM_SUBDOMAIN: "school" });
const idOnly = readAmocrmConfig({ AMOCRM_ACCOUNT_ID: "31415" });
const check = (body: string, config = both) => accountMismatch(parseFormBody(body), config);

describe("accountMismatch", () => {
  it("accepts the configured account, its subdomain in any case, and bodies that do not name it", () => {
    expect(check("account[subdomain]=SCHOOL&account[id]=31415&leads[status][0][id]=1")).toBeNull();
    expect(check("leads[status][0][id]=1&leads[status][0][account_id]=31415")).toBeNull();
    expect(check("leads[status][0][id]=1")).toBeNull();
    expect(check("account[id]=999", readAmocrmConfig({}))).toBeNull();
    // Only the configured fields are compared.
    expect(check("account[subdomain]=school&account[id]=999", subdomainOnly)).toBeNull();
    expect(check("account[subdomain]=other&account[id]=31415", idOnly)).toBeNull();
  });

  it("refuses another subdomain, another id on the account or on any lead, and shapes that are not one value", () => {
    expect(check("account[subdomain]=other")).toBe('account[subdomain] "other" is not the configured account');
    expect(check("account[subdomain]=school&account[id]=27182")).toBe(
      'account id "27182" is not the configured account',
    );
    expect(
      check(
        "account[subdomain]=school&leads[add][0][id]=1&leads[add][0][account_id]=31415&leads[status][0][id]=2&leads[status][0][account_id]=27",
      ),
    ).toBe('account id "27" is not the configured account');
    expect(check("account=school")).toBe(
      'account is "school", not the account\'s fields (account[id], account[subdomain])',
    );
    expect(check("account[]=1")).toBe("account is a list, not the account's fields (account[id], account[subdomain])");
    expect(check("account[subdomain][]=school")).toBe("account[subdomain] a list is not the configured account");
    expect(check("account[subdomain][x]=school")).toBe("account[subdomain] a map is not the configured account");
    expect(check("account[id]=")).toBe('account id "" is not the configured account');
    expect(check("account[id][0]=31415")).toBe("account id a list is not the configured account");
    expect(check(`account[subdomain]=${"s".repeat(90)}`)).toBe(
      `account[subdomain] "${"s".repeat(80)}…" is not the configured account`,
    );
  });

  it("with no account configured compares nothing, whatever the body's shape; with one field, checks that field", () => {
    const none = readAmocrmConfig({});
    expect(check("account=school", none)).toBeNull();
    expect(check("account[]=1&account[subdomain]=x", none)).toBeNull();
    expect(check("account[id]=27", idOnly)).toBe('account id "27" is not the configured account');
    expect(check("leads[add][0][account_id]=27", idOnly)).toBe('account id "27" is not the configured account');
    expect(check("account[subdomain]=other", subdomainOnly)).toBe(
      'account[subdomain] "other" is not the configured account',
    );
    // Quoted whole up to 80 characters.
    expect(check(`account[subdomain]=${"s".repeat(80)}`)).toBe(
      `account[subdomain] "${"s".repeat(80)}" is not the configured account`,
    );
  });

  it("leads that are not a map of actions carry no account ids to compare", () => {
    expect(check("leads=7&account[id]=31415")).toBeNull();
    expect(check("leads[status]=x&account[id]=31415")).toBeNull();
    expect(check("leads[status][0]=x&account[id]=31415")).toBeNull();
  });
});
