// The real webhook bodies from amoCRM captures (verbatim, byte for byte), and builders for
// cases derived from them. Copied here so the project never reads ../shared at run time.
// Sources: KloderGit/ApplicationFPADomain (won, 2018), Bolid1/zapier_build (stage change and
// deal created, 2016), navff/anyor (minimal shape, 2023).

/** Won (142), full entity, with Cyrillic names, a select field, a date field (no [value]). */
export const WON_2018 =
  "leads[status][0][id]=10701093&leads[status][0][name]=Семинар:+Пропитание+в+фитнесе+на+результат&leads[status][0][status_id]=142&leads[status][0][old_status_id]=20067736&leads[status][0][price]=22500&leads[status][0][responsible_user_id]=2079676&leads[status][0][last_modified]=1539782664&leads[status][0][modified_user_id]=2079718&leads[status][0][created_user_id]=2076025&leads[status][0][date_create]=1539782209&leads[status][0][pipeline_id]=9217056&leads[status][0][tags][0][id]=80147&leads[status][0][tags][0][name]=повторное+обращение&leads[status][0][account_id]=17769199&leads[status][0][custom_fields][0][id]=66339&leads[status][0][custom_fields][0][name]=Источник&leads[status][0][custom_fields][0][values][0][value]=Сайт&leads[status][0][custom_fields][0][values][0][enum]=139517&leads[status][0][custom_fields][1][id]=66349&leads[status][0][custom_fields][1][name]=Интересующая+услуга&leads[status][0][custom_fields][1][values][0][value]=Пропитание+в+фитнесе+на+результат&leads[status][0][custom_fields][1][values][0][enum]=153667&leads[status][0][custom_fields][2][id]=72333&leads[status][0][custom_fields][2][name]=Дата+проведения&leads[status][0][custom_fields][2][values][0]=1542067200&leads[status][0][custom_fields][3][id]=497267&leads[status][0][custom_fields][3][name]=Заявка+оплачена&leads[status][0][custom_fields][3][values][0][value]=1&account[subdomain]=apfitness";

/** Stage change, percent-encoded exactly as sent. */
export const STAGE_CHANGE_2016 =
  "leads%5Bstatus%5D%5B0%5D%5Bid%5D=31926520&leads%5Bstatus%5D%5B0%5D%5Bname%5D=Some+test+lead&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=10216994&leads%5Bstatus%5D%5B0%5D%5Bprice%5D=1000&leads%5Bstatus%5D%5B0%5D%5Bresponsible_user_id%5D=938348&leads%5Bstatus%5D%5B0%5D%5Blast_modified%5D=1456820780&leads%5Bstatus%5D%5B0%5D%5Bmodified_user_id%5D=102525&leads%5Bstatus%5D%5B0%5D%5Bcreated_user_id%5D=102525&leads%5Bstatus%5D%5B0%5D%5Bdate_create%5D=1456808154&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=2116&leads%5Bstatus%5D%5B0%5D%5Baccount_id%5D=10216991&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bid%5D=1119321&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=Some+text+field&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=some+text&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=10216995&account%5Bsubdomain%5D=test000002";

/** Minimal shape (Digital Pipeline?): no price, name, time or custom fields. */
export const MINIMAL_2023 =
  "leads%5Bstatus%5D%5B0%5D%5Bid%5D=10754147&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=54423922&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=6344290&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=54435014&leads%5Bstatus%5D%5B0%5D%5Bold_pipeline_id%5D=6344290&account%5Bid%5D=30307558&account%5Bsubdomain%5D=anyor";

/** Deal created (leads[add]). */
export const DEAL_CREATED_2016 =
  "leads%5Badd%5D%5B0%5D%5Bid%5D=31926529&leads%5Badd%5D%5B0%5D%5Bname%5D=qaz&leads%5Badd%5D%5B0%5D%5Bstatus_id%5D=10216993&leads%5Badd%5D%5B0%5D%5Bprice%5D=24234&leads%5Badd%5D%5B0%5D%5Bresponsible_user_id%5D=102525&leads%5Badd%5D%5B0%5D%5Blast_modified%5D=1456824464&leads%5Badd%5D%5B0%5D%5Bmodified_user_id%5D=102525&leads%5Badd%5D%5B0%5D%5Bcreated_user_id%5D=102525&leads%5Badd%5D%5B0%5D%5Bdate_create%5D=1456824464&leads%5Badd%5D%5B0%5D%5Bpipeline_id%5D=2116&leads%5Badd%5D%5B0%5D%5Baccount_id%5D=10216991&leads%5Badd%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bid%5D=1119321&leads%5Badd%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=Some+text+field&leads%5Badd%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=asdfdsf&account%5Bsubdomain%5D=test000002";

/** Headers the minimal sample was captured with. */
export const MINIMAL_2023_HEADERS = {
  "user-agent": "amoCRM-Webhooks/3.0",
  "x-amocrm-requestid": "4deb1687-f69f-4f06-930e-95c2947134ca",
};
