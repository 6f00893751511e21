import type { AssistantProduct, AssistantTraining, Locale, ShippingPolicy } from "./types";

/** How products and money are written in one language. */
export interface Formatting {
  locale: Locale;
  productName(p: AssistantProduct): string;
  money(amount: number, currency: string): string;
  colors(p: AssistantProduct): string;
}

export function formatting(locale: Locale, colorNames: Record<string, string>): Formatting {
  const tag = locale === "zh" ? "zh-CN" : "en-US";
  return {
    locale,
    productName: (p) => p.name[locale] || p.name.en,
    money: (amount, currency) => new Intl.NumberFormat(tag, { style: "currency", currency }).format(amount),
    colors: (p) =>
      locale === "zh"
        ? p.colors.map((c) => colorNames[c.toLowerCase()] ?? c).join("、")
        : new Intl.ListFormat(tag, { type: "conjunction" }).format(p.colors),
  };
}

const price = (f: Formatting, p: AssistantProduct): string => f.money(p.priceCents / 100, p.currency);

/**
 * Everything the assistant says, in one language. Pure functions of the catalog data they are
 * given, so the numbers in an answer are always the catalog's current ones.
 */
export interface Replies {
  greet(): string;
  goodbye(): string;
  thanks(): string;
  outOfScope(): string;
  notUnderstood(): string;
  empty(): string;
  tooLong(maxChars: number): string;
  whichProduct(): string;
  whichOf(candidates: AssistantProduct[]): string;
  price(p: AssistantProduct): string;
  availability(p: AssistantProduct): string;
  info(p: AssistantProduct): string;
  compare(a: AssistantProduct, b: AssistantProduct): string;
  compareNeedsTwo(): string;
  shipping(policy: ShippingPolicy, p: AssistantProduct | null): string;
  demoRequested(p: AssistantProduct | null): string;
  quoteRequested(items: { product: AssistantProduct; quantity: number }[]): string;
  quoteNeedsProduct(): string;
  humanRequested(): string;
  complaintRecorded(): string;
  training(t: AssistantTraining): string;
  noTraining(p: AssistantProduct, available: AssistantTraining[]): string;
  whichTraining(available: AssistantTraining[]): string;
  navigating(p: AssistantProduct): string;
  failed(): string;
}

export function englishReplies(f: Formatting): Replies {
  const name = f.productName;
  const dims = (p: AssistantProduct) => `${p.dimensionsCm.join(" × ")} cm (W × H × D)`;
  const stock = (p: AssistantProduct) =>
    p.stock > 0
      ? `${p.stock} in stock, delivered in about ${p.leadTimeDays} days`
      : `out of stock, about ${p.leadTimeDays} days to restock`;
  return {
    greet: () => "Hello! Ask me about any product here: price, stock, size, delivery, or where to find it.",
    goodbye: () => "Goodbye, and thanks for visiting the showroom!",
    thanks: () => "You're welcome! Anything else I can help with?",
    outOfScope: () =>
      "I can only help with this showroom: prices, stock, product details, delivery, demos, quotes, or a colleague to talk to.",
    notUnderstood: () =>
      "Sorry, I'm not sure I understood. Are you asking about a price, stock, delivery, a demo or a quote, or would you like to talk to a person?",
    empty: () => "I didn't catch a question. What would you like to know?",
    tooLong: (max) =>
      `That's a long message. Could you ask your question in a sentence or two (under ${max} characters)?`,
    whichProduct: () => "Which product do you mean? Tell me its name, or stand next to it and ask again.",
    whichOf: (candidates) =>
      `Which one do you mean: ${new Intl.ListFormat("en-US", { type: "disjunction" }).format(candidates.map(name))}?`,
    price: (p) => `The ${name(p)} costs ${price(f, p)}.`,
    availability: (p) =>
      p.stock > 0
        ? `Yes, the ${name(p)} is in stock: ${p.stock} available, delivered in about ${p.leadTimeDays} days.`
        : `The ${name(p)} is out of stock right now; new stock takes about ${p.leadTimeDays} days.`,
    info: (p) =>
      `The ${name(p)}: ${p.description.en} It measures ${dims(p)} and comes in ${f.colors(p)}. ${price(f, p)}.`,
    compare: (a, b) => {
      const line = (p: AssistantProduct) => `the ${name(p)} is ${price(f, p)}, ${dims(p)}, ${stock(p)}`;
      const difference =
        a.priceCents === b.priceCents
          ? "They cost the same."
          : `The ${name(a.priceCents < b.priceCents ? a : b)} is ${f.money(Math.abs(a.priceCents - b.priceCents) / 100, a.currency)} cheaper.`;
      return `Side by side: ${line(a)}; ${line(b)}. ${a.currency === b.currency ? difference : ""}`.trim();
    },
    compareNeedsTwo: () => "Which two products should I compare? Name both, or stand at one and name the other.",
    shipping: (policy, p) => {
      const fee = f.money(policy.flatFee, policy.currency);
      const express =
        policy.expressFee === null ? "" : ` Express delivery is ${f.money(policy.expressFee, policy.currency)}.`;
      const product = p ? `The ${name(p)} ships within ${p.leadTimeDays} days. ` : "";
      const freeOver = f.money(policy.freeOver, policy.currency);
      const days = `${policy.deliveryDays.min}–${policy.deliveryDays.max}`;
      const terms = `Delivery costs ${fee}, free on orders over ${freeOver}, and takes ${days} working days.`;
      return `${product}${terms}${express} We deliver to ${policy.regions.en}. Returns are accepted within ${policy.returnDays} days.`;
    },
    demoRequested: (p) =>
      `I've requested a demo${p ? ` of the ${name(p)}` : ""} for you; a colleague will contact you to set the time.`,
    quoteRequested: (items) =>
      `I've requested a quote for ${new Intl.ListFormat("en-US", { type: "conjunction" }).format(
        items.map((i) => `${i.quantity} × ${name(i.product)}`),
      )}. Our sales team will send it to you shortly.`,
    quoteNeedsProduct: () => "Happy to prepare a quote. Which products, and how many of each?",
    humanRequested: () =>
      "I've asked a colleague to join you; you're in the queue and someone will be with you shortly.",
    complaintRecorded: () =>
      "I'm sorry about that. I've passed this to our support team, and a colleague will contact you shortly.",
    training: (t) => `Let's start "${t.title.en}". Follow the steps shown next to you.`,
    noTraining: (p, available) =>
      `There's no guided training for the ${name(p)} yet.${available.length > 0 ? ` Available: ${available.map((t) => `"${t.title.en}"`).join(", ")}.` : ""}`,
    whichTraining: (available) =>
      available.length === 0
        ? "There are no guided trainings in this showroom yet."
        : `Which training would you like? Available: ${available.map((t) => `"${t.title.en}"`).join(", ")}.`,
    navigating: (p) => `Taking you to the ${name(p)}.`,
    failed: () => "Sorry, I couldn't record that just now. Please try again in a moment, or ask a member of staff.",
  };
}

export function chineseReplies(f: Formatting): Replies {
  const name = f.productName;
  const dims = (p: AssistantProduct) => `宽${p.dimensionsCm[0]} × 高${p.dimensionsCm[1]} × 深${p.dimensionsCm[2]} 厘米`;
  const stock = (p: AssistantProduct) =>
    p.stock > 0 ? `现货${p.stock}件，约${p.leadTimeDays}天送达` : `暂时缺货，约${p.leadTimeDays}天补货`;
  return {
    greet: () => "您好！可以问我这里任何产品的价格、库存、尺寸、配送，或者它在哪里。",
    goodbye: () => "再见，感谢您参观展厅！",
    thanks: () => "不客气！还有什么可以帮您？",
    outOfScope: () => "我只能回答与本展厅相关的问题：价格、库存、产品详情、配送、演示、报价，或者为您联系工作人员。",
    notUnderstood: () => "抱歉，我不太确定您的意思。您是想了解价格、库存、配送、预约演示或报价，还是想找工作人员？",
    empty: () => "我没有收到问题，请问您想了解什么？",
    tooLong: (max) => `您的消息太长了，请用一两句话提问（不超过${max}个字符）。`,
    whichProduct: () => "请问您指的是哪件产品？请告诉我名称，或者走到产品旁边再问一次。",
    whichOf: (candidates) => `请问您指的是哪一款：${candidates.map(name).join("还是")}？`,
    price: (p) => `${name(p)}的价格是${price(f, p)}。`,
    availability: (p) =>
      p.stock > 0
        ? `${name(p)}有现货，库存${p.stock}件，约${p.leadTimeDays}天送达。`
        : `${name(p)}目前缺货，补货约需${p.leadTimeDays}天。`,
    info: (p) => `${name(p)}：${p.description.zh}尺寸为${dims(p)}，颜色有${f.colors(p)}。售价${price(f, p)}。`,
    compare: (a, b) => {
      const line = (p: AssistantProduct) => `${name(p)}售价${price(f, p)}，${dims(p)}，${stock(p)}`;
      const difference =
        a.priceCents === b.priceCents
          ? "两者价格相同。"
          : `${name(a.priceCents < b.priceCents ? a : b)}便宜${f.money(Math.abs(a.priceCents - b.priceCents) / 100, a.currency)}。`;
      return `对比：${line(a)}；${line(b)}。${a.currency === b.currency ? difference : ""}`;
    },
    compareNeedsTwo: () => "请问要比较哪两件产品？请说出两者的名称，或者站在其中一件旁边说出另一件。",
    shipping: (policy, p) => {
      const express = policy.expressFee === null ? "" : `加急配送${f.money(policy.expressFee, policy.currency)}。`;
      const product = p ? `${name(p)}下单后${p.leadTimeDays}天内发货。` : "";
      const fee = f.money(policy.flatFee, policy.currency);
      const freeOver = f.money(policy.freeOver, policy.currency);
      const days = `${policy.deliveryDays.min}至${policy.deliveryDays.max}`;
      return `${product}运费${fee}，订单满${freeOver}免运费，${days}个工作日送达。${express}配送范围：${policy.regions.zh}。${policy.returnDays}天内可退货。`;
    },
    demoRequested: (p) => `已为您申请${p ? `${name(p)}的` : ""}产品演示，工作人员会联系您确定时间。`,
    quoteRequested: (items) =>
      `已为您申请报价：${items.map((i) => `${name(i.product)} × ${i.quantity}`).join("，")}。销售团队会尽快发送给您。`,
    quoteNeedsProduct: () => "很乐意为您报价。请问需要哪些产品，各多少件？",
    humanRequested: () => "已为您呼叫工作人员，您已在排队中，请稍候。",
    complaintRecorded: () => "非常抱歉给您带来不便。我已将问题转交客服团队，工作人员会尽快联系您。",
    training: (t) => `开始「${t.title.zh}」，请按照身边显示的步骤操作。`,
    noTraining: (p, available) =>
      `${name(p)}暂时没有互动培训。${available.length > 0 ? `可选培训：${available.map((t) => `「${t.title.zh}」`).join("、")}。` : ""}`,
    whichTraining: (available) =>
      available.length === 0
        ? "本展厅暂时没有互动培训。"
        : `请问您想参加哪个培训？可选：${available.map((t) => `「${t.title.zh}」`).join("、")}。`,
    navigating: (p) => `正在带您前往${name(p)}。`,
    failed: () => "抱歉，暂时无法记录您的请求，请稍后再试，或联系现场工作人员。",
  };
}

export function replies(locale: Locale, colorNames: Record<string, string>): Replies {
  const f = formatting(locale, colorNames);
  return locale === "zh" ? chineseReplies(f) : englishReplies(f);
}
